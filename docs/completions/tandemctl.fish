function __tandemctl_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __tandemctl_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __tandemctl_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __tandemctl_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __tandemctl_parse_tokens -S
    set -l unparsed_tokens (__tandemctl_tokens -pc)
    switch $unparsed_tokens[1]
    case 'tandemctl'
        __tandemctl_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'lint'
            __tandemctl_parse_subcommand -r 1 'json' 'version' 'h/help'
        case 'status'
            __tandemctl_parse_subcommand 0 'runtime-dir=' 'json' 'version' 'h/help'
        case 'metrics'
            __tandemctl_parse_subcommand 0 'runtime-dir=' 'http' 'version' 'h/help'
        case 'switchover'
            __tandemctl_parse_subcommand -r 1 'runtime-dir=' 'json' 'wait=' 'version' 'h/help'
        case 'resume'
            __tandemctl_parse_subcommand -r 1 'runtime-dir=' 'json' 'version' 'h/help'
        case 'reload'
            __tandemctl_parse_subcommand 0 'runtime-dir=' 'wait=' 'json' 'version' 'h/help'
        case 'realserver'
            __tandemctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'up'
                __tandemctl_parse_subcommand -r 1 'tunnel' 'interface=' 'state-dir=' 'json' 'version' 'h/help'
            case 'down'
                __tandemctl_parse_subcommand -r 1 'tunnel' 'interface=' 'state-dir=' 'json' 'version' 'h/help'
            case 'status'
                __tandemctl_parse_subcommand -r 1 'tunnel' 'interface=' 'state-dir=' 'json' 'version' 'h/help'
            end
        case 'help'
            __tandemctl_parse_subcommand -r 1 'version'
        end
    end
end

function __tandemctl_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __tandemctl_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __tandemctl_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __tandemctl_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__tandemctl_tokens -p)
    if test -z "$(__tandemctl_tokens -t)"
        set -l index (count (__tandemctl_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'tandemctl' -f
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl" version' -l 'version' -d 'Show the version.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_positional "tandemctl" -eq 1' -fa 'lint' -d 'Check that the keepalived.conf files of two or more nodes make a working pair.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_positional "tandemctl" -eq 1' -fa 'status' -d 'Show what the running daemons do: problems first, then each daemon.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_positional "tandemctl" -eq 1' -fa 'metrics' -d 'Print the running daemons\' metrics as OpenMetrics text (names in docs/metrics.md).'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_positional "tandemctl" -eq 1' -fa 'switchover' -d 'Hand MASTER over to the peer without a gap (make before break).'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_positional "tandemctl" -eq 1' -fa 'resume' -d 'Let instances held BACKUP by a switchover preempt again as configured.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_positional "tandemctl" -eq 1' -fa 'reload' -d 'Check the configuration with every daemon\'s rules, then reload them all (or none).'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_positional "tandemctl" -eq 1' -fa 'realserver' -d 'Set this node up as an LVS DR or TUN real server: VIPs on lo (or the tunnel device) and the ARP sysctls.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_positional "tandemctl" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_positional "tandemctl lint" -ge 1' -fa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'conf\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl lint" json' -l 'json' -d 'Print one JSON object (schema tandem.lint/1, described in docs/json/lint.md) instead of lines.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl lint" version' -l 'version' -d 'Show the version.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl lint" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl status" runtime-dir' -l 'runtime-dir' -d 'Directory of the daemons\' control sockets.' -rfa '(__tandemctl_complete_directories)'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl status" json' -l 'json' -d 'Print one JSON object (schema tandem.status/1, described in docs/json/status.md).'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl status" version' -l 'version' -d 'Show the version.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl metrics" runtime-dir' -l 'runtime-dir' -d 'Directory of the daemons\' control sockets.' -rfa '(__tandemctl_complete_directories)'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl metrics" http' -l 'http' -d 'Answer one HTTP request read on standard input (socket activation).'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl metrics" version' -l 'version' -d 'Show the version.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl metrics" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl switchover" runtime-dir' -l 'runtime-dir' -d 'Directory of the daemons\' control sockets.' -rfa '(__tandemctl_complete_directories)'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl switchover" json' -l 'json' -d 'Print one JSON object (schema tandem.switchover/1, described in docs/json/switchover.md).'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl switchover" wait' -l 'wait' -d 'Seconds to wait for the handovers to end.' -rfka ''
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl switchover" version' -l 'version' -d 'Show the version.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl switchover" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl resume" runtime-dir' -l 'runtime-dir' -d 'Directory of the daemons\' control sockets.' -rfa '(__tandemctl_complete_directories)'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl resume" json' -l 'json' -d 'Print one JSON object (schema tandem.resume/1, described in docs/json/resume.md).'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl resume" version' -l 'version' -d 'Show the version.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl resume" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl reload" runtime-dir' -l 'runtime-dir' -d 'Directory of the daemons\' control sockets.' -rfa '(__tandemctl_complete_directories)'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl reload" wait' -l 'wait' -d 'Seconds to wait for the daemons to load the file.' -rfka ''
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl reload" json' -l 'json' -d 'Print one JSON object (schema tandem.reload/1, described in docs/json/reload.md) instead of lines.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl reload" version' -l 'version' -d 'Show the version.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl reload" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl realserver" version' -l 'version' -d 'Show the version.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl realserver" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_positional "tandemctl realserver" -eq 1' -fa 'up' -d 'Add the VIPs and set the sysctls (an address already there is left as it is).'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_positional "tandemctl realserver" -eq 1' -fa 'down' -d 'Remove the VIPs; with the last VIP up recorded, restore what up changed.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_positional "tandemctl realserver" -eq 1' -fa 'status' -d 'Say whether the VIPs are on their device and the sysctls set.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl realserver up" tunnel' -l 'tunnel' -d 'LVS-TUN: the VIPs on tunl0 (IPv4) and ip6tnl0 (IPv6), rp_filter 0 on all and tunl0.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl realserver up" interface' -l 'interface' -d 'The device for the VIPs (default lo; with --tunnel tunl0 and ip6tnl0).' -rfka ''
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl realserver up" state-dir' -l 'state-dir' -d 'Where up records what it changed, for down.' -rfa '(__tandemctl_complete_directories)'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl realserver up" json' -l 'json' -d 'Print one JSON object (schema tandem.realserver/1, described in docs/json/realserver.md); up and down print the state after their change.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl realserver up" version' -l 'version' -d 'Show the version.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl realserver up" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl realserver down" tunnel' -l 'tunnel' -d 'LVS-TUN: the VIPs on tunl0 (IPv4) and ip6tnl0 (IPv6), rp_filter 0 on all and tunl0.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl realserver down" interface' -l 'interface' -d 'The device for the VIPs (default lo; with --tunnel tunl0 and ip6tnl0).' -rfka ''
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl realserver down" state-dir' -l 'state-dir' -d 'Where up records what it changed, for down.' -rfa '(__tandemctl_complete_directories)'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl realserver down" json' -l 'json' -d 'Print one JSON object (schema tandem.realserver/1, described in docs/json/realserver.md); up and down print the state after their change.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl realserver down" version' -l 'version' -d 'Show the version.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl realserver down" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl realserver status" tunnel' -l 'tunnel' -d 'LVS-TUN: the VIPs on tunl0 (IPv4) and ip6tnl0 (IPv6), rp_filter 0 on all and tunl0.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl realserver status" interface' -l 'interface' -d 'The device for the VIPs (default lo; with --tunnel tunl0 and ip6tnl0).' -rfka ''
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl realserver status" state-dir' -l 'state-dir' -d 'Where up records what it changed, for down.' -rfa '(__tandemctl_complete_directories)'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl realserver status" json' -l 'json' -d 'Print one JSON object (schema tandem.realserver/1, described in docs/json/realserver.md); up and down print the state after their change.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl realserver status" version' -l 'version' -d 'Show the version.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl realserver status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tandemctl' -n '__tandemctl_should_offer_completions_for_flags_or_options "tandemctl help" version' -l 'version' -d 'Show the version.'
