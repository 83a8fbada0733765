# fish completion for deploy-run(1): subcommands, their options, and the names of
# the profiles in the profiles directory (./profiles, -C DIR's profiles, or
# --profiles DIR).  Subcommands and options are read from the program's own help,
# so they follow the installed version.

function __deploy_run_prog
    set -l p (commandline -opc)[1]
    if command -sq -- $p; or test -x "$p"
        echo $p
    else
        echo deploy-run
    end
end

function __deploy_run_subcommands
    set -l prog (__deploy_run_prog)
    command -sq -- $prog; or test -x "$prog"; or return
    for line in ($prog --help 2>/dev/null)
        if string match -qr '^  deploy-run [a-z]' -- $line
            string replace -r '^  deploy-run ([a-z][a-z-]*).*' '$1' -- $line
        end
    end
end

# The subcommand (or bare profile) typed so far; fails when there is none yet.
# -C DIR and --profiles DIR are skipped.
function __deploy_run_sub
    set -l words (commandline -opc)
    set -e words[1]
    while set -q words[1]
        switch $words[1]
            case -C --profiles
                set -e words[1]
            case '-*'
            case '*'
                echo $words[1]
                return 0
        end
        set -e words[1]
    end
    return 1
end

function __deploy_run_profiles_dir
    set -l words (commandline -opc)
    set -l dir .
    set -l pdir
    set -l i 2
    while test $i -le (count $words)
        switch $words[$i]
            case -C
                set i (math $i + 1)
                set dir $words[$i]
            case --profiles
                set i (math $i + 1)
                set pdir $words[$i]
            case '--profiles=*'
                set pdir (string replace -- --profiles= '' $words[$i])
            case '-*'
            case '*'
                break
        end
        set i (math $i + 1)
    end
    if test -z "$pdir"
        echo $dir/profiles
    else if string match -q '/*' -- $pdir; or test "$dir" = .
        echo $pdir
    else
        echo $dir/$pdir
    end
end

function __deploy_run_profiles
    for f in (__deploy_run_profiles_dir)/*.ini
        test -f $f; and string replace -r '\.ini$' '' -- (basename $f)
    end
end

# The options of a subcommand: those of its usage line and of its option list.
function __deploy_run_options
    set -l sub (__deploy_run_sub)
    contains -- $sub (__deploy_run_subcommands); or set sub run
    set -l prog (__deploy_run_prog)
    command -sq -- $prog; or test -x "$prog"; or return
    for line in ($prog help $sub 2>/dev/null)
        if string match -q 'Usage: *' -- $line
            for w in (string split ' ' -- $line)
                set w (string trim -l -c '[' -- $w)
                set w (string replace -r '[]|=].*' '' -- $w)
                string match -qr '^-.' -- $w; and test "$w" != --; and echo $w
            end
        else if string match -q '  -*' -- $line
            for w in (string split -n ' ' -- $line)
                set w (string trim -r -c , -- $w)
                string match -q -- '-*' $w; or break
                string replace -r '=.*' '' -- $w
            end
        end
    end | sort -u
end

function __deploy_run_takes_profile
    set -l sub (__deploy_run_sub)
    test -n "$sub"; and not contains -- $sub help init profiles unbundle verify-bundle
end

complete -c deploy-run -f
complete -c deploy-run -n 'not __deploy_run_sub' -s C -r -a '(__fish_complete_directories)' -d 'change to DIR first'
complete -c deploy-run -n 'not __deploy_run_sub' -l profiles -r -a '(__fish_complete_directories)' -d 'profiles directory'
complete -c deploy-run -n 'not __deploy_run_sub' -l no-color -d 'no colour'
complete -c deploy-run -n 'not __deploy_run_sub' -s q -l quiet -d 'only errors'
complete -c deploy-run -n 'not __deploy_run_sub' -s v -l verbose -d 'more detail'
complete -c deploy-run -n 'not __deploy_run_sub' -s h -l help -d 'usage'
complete -c deploy-run -n 'not __deploy_run_sub' -s V -l version -d 'version'
complete -c deploy-run -n 'not __deploy_run_sub' -a '(__deploy_run_subcommands)' -d subcommand
complete -c deploy-run -n 'not __deploy_run_sub' -a '(__deploy_run_profiles)' -d profile
complete -c deploy-run -n '__deploy_run_takes_profile' -a '(__deploy_run_profiles)' -d profile
complete -c deploy-run -n '__deploy_run_sub; and string match -q -- "-*" (commandline -ct)' -a '(__deploy_run_options)'
# the formats the subcommand's usage line names: "[--format text|json|...]"
function __deploy_run_formats
    set -l prog (__deploy_run_prog)
    command -sq -- $prog; or test -x "$prog"; or return
    set -l usage ($prog help (__deploy_run_sub) 2>/dev/null)[1]
    string split '|' -- (string match -r --groups-only -- '--format ([a-z|]+)' $usage)
end

complete -c deploy-run -n '__deploy_run_sub' -l format -x -a '(__deploy_run_formats)'
complete -c deploy-run -n '__fish_seen_subcommand_from help' -a '(__deploy_run_subcommands)'
complete -c deploy-run -n '__fish_seen_subcommand_from init unbundle verify-bundle bundle' -F
