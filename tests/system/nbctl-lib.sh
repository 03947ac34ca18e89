# Helpers for the osmotic-nbctl system tests; source after lib.sh.

# nb_dump: prints the whole northbound database.
nb_dump() {
    ovsdb-client dump "$OSMOTIC_NB_DB" Osmotic_Northbound
}

# check_refused MESSAGE-SUBSTRING CMD...: CMD must fail, print
# MESSAGE-SUBSTRING on stderr, and leave the database unchanged.
check_refused() {
    local before after
    before=$(nb_dump) || fail "dump failed"
    check_error "$@"
    after=$(nb_dump) || fail "dump failed"
    [ "$before" = "$after" ] || fail "database changed by refused: ${*:2}"
}

# nb_count TABLE [CONDITION...]: prints the number of rows in TABLE (that
# match every CONDITION, as "find" reads them).
nb_count() {
    local table=$1
    shift
    if [ $# -eq 0 ]; then
        osmotic-nbctl --bare --columns=_uuid list "$table" | grep -c . || true
    else
        osmotic-nbctl --bare --columns=_uuid find "$table" "$@" \
            | grep -c . || true
    fi
}
