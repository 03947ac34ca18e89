#!/bin/bash
# The bash completion of osmotic-nbctl and osmotic-sbctl completes
# commands, options, tables and columns.  Run by "make check" in the build
# tree (the completion asks the built programs for their commands).
set -u
builddir=$(pwd)
comp=$builddir/utilities/osmotic-dbctl.bash
[ -f "$comp" ] || { echo "no $comp (run make first)"; exit 99; }
PATH=$builddir/utilities:$PATH
# No database: completions that read one find nothing, quickly.
export OSMOTIC_RUNDIR=$(mktemp -d)
trap 'rmdir "$OSMOTIC_RUNDIR"' EXIT

# compopt works only while bash completes; the test calls the function
# directly.
compopt() { :; }
# shellcheck source=/dev/null
. "$comp"

failures=0
# completes LINE WORD...: completing LINE (the last word is the one being
# completed) offers every WORD.
# completes_only LINE WORD...: ... offers exactly the WORDs.
complete_line() {
    read -r -a COMP_WORDS <<< "$1"
    case $1 in
        *' ') COMP_WORDS+=('') ;;
    esac
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _osmotic_dbctl
    printf '%s\n' "${COMPREPLY[@]}" | sort
}
completes() {
    local line=$1 got w
    shift
    got=$(complete_line "$line")
    for w in "$@"; do
        if ! echo "$got" | grep -qxF -- "$w"; then
            echo "FAIL: '$line' does not offer '$w' (offers: $(echo $got))"
            failures=$((failures + 1))
        fi
    done
}
completes_only() {
    local line=$1 got want
    shift
    got=$(complete_line "$line")
    want=$(printf '%s\n' "$@" | sort)
    if [ "$got" != "$want" ]; then
        echo "FAIL: '$line' offers [$(echo $got)], expected [$(echo $want)]"
        failures=$((failures + 1))
    fi
}

# Commands, first and after "--".
completes "osmotic-nbctl ls-" ls-add ls-del ls-list
completes "osmotic-nbctl " show lsp-add class-add list set
completes "osmotic-nbctl --timeout=5 lsp-" lsp-add lsp-del lsp-list
completes "osmotic-nbctl ls-add sw0 -- lsp-a" lsp-add
completes "osmotic-sbctl chassis-" chassis-del
# Global and command options.
completes "osmotic-nbctl --d" --db= --dry-run
completes_only "osmotic-nbctl lsp-add --may" --may-exist
completes "osmotic-nbctl list --" --columns= --if-exists
# Tables, in each tool's own database.
completes_only "osmotic-nbctl list Logical_Sw" Logical_Switch \
    Logical_Switch_Port
completes_only "osmotic-sbctl find Chas" Chassis Chassis_Private
completes_only "osmotic-nbctl list Chas"
# Columns of the table the command names (any case or a unique prefix).
completes_only "osmotic-nbctl get logical_switch sw0 na" name
completes "osmotic-nbctl get Logical_Switch_Port p1 " addresses enabled \
    name port_security
completes_only "osmotic-nbctl set Logical_Switch sw0 oth" other_config=
completes_only "osmotic-nbctl find Logical_Switch_Por addr" addresses=
completes_only "osmotic-sbctl clear Chassis hv1 encap" encaps
# Records need the database: none here, so nothing (and no hang).
completes_only "osmotic-nbctl lsp-add "

if [ $failures -gt 0 ]; then
    echo "$failures completion checks failed"
    exit 1
fi
echo "bash completion: all checks passed"
