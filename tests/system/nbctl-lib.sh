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

# nb_count TABLE: prints the number of rows in TABLE.
nb_count() {
    osmotic-nbctl --bare --columns=_uuid list "$1" | grep -c . || true
}
