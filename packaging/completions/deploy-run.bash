# bash completion for deploy-run(1): subcommands, their options, and the names of
# the profiles in the profiles directory (./profiles, -C DIR's profiles, or
# --profiles DIR).  Subcommands and options are read from the program's own help,
# so they follow the installed version.

# The deploy-run being completed: the word typed, when it can be run.
_deploy_run_prog()
{
	local p=${COMP_WORDS[0]}
	p=${p/#\~/$HOME}
	if [[ $p == */* && -x $p ]] || type -P "$p" >/dev/null 2>&1; then
		printf '%s\n' "$p"
	else
		printf 'deploy-run\n'
	fi
}

# Subcommand names, from "deploy-run --help".
_deploy_run_subcommands()
{
	local line w
	"$1" --help 2>/dev/null | while read -r line; do
		if [[ $line == "deploy-run "[a-z]* ]]; then
			w=${line#deploy-run }
			printf '%s\n' "${w%% *}"
		fi
	done
}

# The options of a subcommand: those of its usage line and of its option list
# ("deploy-run help SUB").
_deploy_run_options()
{
	"$1" help "$2" 2>/dev/null | {
		set -f
		local line w
		while IFS= read -r line; do
			case $line in
			"Usage: "*)
				for w in $line; do
					w=${w#[}
					w=${w%%[]|=]*}
					[[ $w == -?* && $w != -- ]] && printf '%s\n' "$w"
				done;;
			"  -"*)
				for w in $line; do
					w=${w%,}
					[[ $w == -* ]] || break
					printf '%s\n' "${w%%=*}"
				done;;
			esac
		done
	} | sort -u
}

# Profile names (NAME of DIR/NAME.ini).
_deploy_run_profiles()
{
	local f n
	for f in "$1"/*.ini; do
		[[ -f $f ]] || continue
		n=${f##*/}
		printf '%s\n' "${n%.ini}"
	done
}

_deploy_run()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= prog dir=. pdir= sub= w i
	local -a cands
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# "--profiles=DIR" may arrive split at the '=' (COMP_WORDBREAKS)
	if [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $cur == = ]]; then
		cur=
	fi
	prog=$(_deploy_run_prog)

	# the global options and the subcommand before the word being completed
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		[[ -n $sub ]] && { [[ $w == -- ]] && return 0; continue; }
		case $w in
		-C)
			((i++)); dir=${COMP_WORDS[i]};;
		--profiles)
			((i++)); [[ ${COMP_WORDS[i]} == = ]] && ((i++)); pdir=${COMP_WORDS[i]};;
		--profiles=*)
			pdir=${w#--profiles=};;
		-*) ;;
		*)
			sub=$w;;
		esac
	done
	dir=${dir/#\~/$HOME}
	pdir=${pdir/#\~/$HOME}
	if [[ -z $pdir ]]; then
		pdir=$dir/profiles
	elif [[ $pdir != /* && $dir != . ]]; then
		pdir=$dir/$pdir
	fi

	case $prev in
	-C | --profiles | --directory)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return 0;;
	-o | --output)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0;;
	--format)
		# the formats its usage line names: "[--format text|json|...]"
		local usage re='--format ([a-z|]+)'
		usage=$("$prog" help "$sub" 2>/dev/null | head -n 1)
		[[ $usage =~ $re ]] && cands=(${BASH_REMATCH[1]//|/ })
		mapfile -t COMPREPLY < <(compgen -W "${cands[*]}" -- "$cur")
		return 0;;
	--only | --skip)
		mapfile -t COMPREPLY < <(compgen -W "profile. venv. env. req. path. server." -- "$cur")
		compopt -o nospace 2>/dev/null
		return 0;;
	esac

	if [[ -z $sub ]]; then
		if [[ $cur == -* ]]; then
			cands=(-C --profiles --no-color -q --quiet -v --verbose -h --help -V --version)
		else
			mapfile -t cands < <(_deploy_run_subcommands "$prog"; _deploy_run_profiles "$pdir")
		fi
		mapfile -t COMPREPLY < <(compgen -W "${cands[*]}" -- "$cur")
		return 0
	fi

	if [[ $cur == -* ]]; then
		if _deploy_run_subcommands "$prog" | grep -qx -- "$sub"; then
			mapfile -t cands < <(_deploy_run_options "$prog" "$sub")
		else
			mapfile -t cands < <(_deploy_run_options "$prog" run)   # a bare PROFILE runs it
		fi
		mapfile -t COMPREPLY < <(compgen -W "${cands[*]}" -- "$cur")
		return 0
	fi
	case $sub in
	help)
		mapfile -t cands < <(_deploy_run_subcommands "$prog");;
	init | unbundle | verify-bundle)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0;;
	profiles)
		return 0;;
	*)
		mapfile -t cands < <(_deploy_run_profiles "$pdir");;
	esac
	mapfile -t COMPREPLY < <(compgen -W "${cands[*]}" -- "$cur")
	return 0
}

complete -F _deploy_run deploy-run
