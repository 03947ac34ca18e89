# Shell helpers for the test groups that ovn-compat.py translates from
# Autotest: the checks themselves and the helpers OVN's test files call
# (check, check_column, check_row_count, fetch_column, uuidfilt, on_exit).
# Written for this runner from what those helpers are documented to do.
#
# The generated script sets AT_RESULTS (the file where each check's
# verdict goes), AT_EXP (the directory of expected outputs, one file per
# check and stream), AT_TMP (scratch space) and AT_FILTER (a sed script
# that removes the lines osmotic-nbctl prints and ovn-nbctl would not,
# which the report counts apart), and runs in the test's own directory,
# where a check may leave "stdout" and "stderr" for later commands.

# at_record ID LINE STATUS-VERDICT OUTPUT-VERDICT FILTERED
#
# Appends one check's verdicts to $AT_RESULTS.  A verdict is "pass",
# "fail" or "-" (not checked).  FILTERED is 1 if the output check passed
# only once $AT_FILTER had removed osmotic-nbctl's own notices.
at_record() {
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >> "$AT_RESULTS"
}

# at_compare_stream MODE WHICH ID
#
# Compares the captured stream WHICH (out or err) of the check just run
# with what MODE says: "" (expected empty), "literal" (the file
# $AT_EXP/ID.WHICH), "expout"/"experr" (the file of that name in the test
# directory), "ignore" or "save" (no comparison; "save" copies the stream
# to ./stdout or ./stderr).  Sets at_cmp to pass, fail or -, and
# at_filtered to 1 if it passed only after filtering.
at_compare_stream() {
    local mode=$1 which=$2 id=$3 got=$AT_TMP/got.$2 expected
    at_filtered=0
    case $mode in
        ignore) at_cmp=-; return ;;
        save)
            if [ "$which" = out ]; then cp "$got" stdout; else cp "$got" stderr; fi
            at_cmp=-
            return
            ;;
        "") expected=/dev/null ;;
        literal) expected=$AT_EXP/$id.$which ;;
        expout|experr) expected=$mode ;;
        *) at_cmp=fail; return ;;
    esac
    if cmp -s "$expected" "$got"; then
        at_cmp=pass
    elif sed -f "$AT_FILTER" "$got" > "$AT_TMP/filtered" \
            && cmp -s "$expected" "$AT_TMP/filtered"; then
        at_cmp=pass
        at_filtered=1
    else
        at_cmp=fail
        {
            echo "--- expected std$which"
            cat "$expected"
            echo "+++ got std$which"
            cat "$got"
        } >> "$AT_TMP/detail.$id"
    fi
}

# at_finish ID LINE EXPECTED-STATUS STDOUT-MODE STDERR-MODE GOT-STATUS
#
# Judges the check just run, whose streams are in $AT_TMP/got.out and
# $AT_TMP/got.err, and records the verdicts.
at_finish() {
    local id=$1 line=$2 want=$3 outmode=$4 errmode=$5 got=$6
    local status_v out_v filtered=0
    rm -f "$AT_TMP/detail.$id"
    if [ "$want" = ignore ]; then
        status_v=-
    elif [ "$got" = "${want:-0}" ]; then
        status_v=pass
    else
        status_v=fail
        echo "exit status $got, expected ${want:-0}" >> "$AT_TMP/detail.$id"
    fi
    at_compare_stream "$outmode" out "$id"
    local out_cmp=$at_cmp out_filtered=$at_filtered
    at_compare_stream "$errmode" err "$id"
    local err_cmp=$at_cmp err_filtered=$at_filtered
    if [ "$out_cmp" = - ] && [ "$err_cmp" = - ]; then
        out_v=-
    elif [ "$out_cmp" = fail ] || [ "$err_cmp" = fail ]; then
        out_v=fail
    else
        out_v=pass
        filtered=$((out_filtered | err_filtered))
    fi
    if [ -e "$AT_TMP/detail.$id" ]; then
        {
            echo "@@ check $id (line $line)"
            cat "$AT_TMP/detail.$id"
        } >> "$AT_RESULTS.detail"
    fi
    at_record "$id" "$line" "$status_v" "$out_v" "$filtered"
}

# The helper checks get ids above every id of the file's own checks.
at_helper_id=100000

# check COMMAND...: COMMAND must succeed and print nothing.
check() {
    at_helper_id=$((at_helper_id + 1))
    local id=$at_helper_id
    ( "$@" ) > "$AT_TMP/got.out" 2> "$AT_TMP/got.err"
    at_finish "$id" "${AT_LINE:-0}" 0 "" "" $?
}

# at_table SPEC: the table of a "DB:TABLE" argument.
at_table() {
    echo "${1#*:}"
}

# fetch_column DB:TABLE COLUMN [CONDITION...]: prints the values of
# COLUMN in the rows of TABLE that match every CONDITION, on one line.
fetch_column() {
    local table column=$2
    table=$(at_table "$1")
    shift 2
    echo $(ovn-nbctl --bare --columns "$column" find "$table" "$@")
}

# check_column EXPECTED DB:TABLE COLUMN [CONDITION...]: the words of
# COLUMN over the matching rows must be those of EXPECTED, in any order.
check_column() {
    local expected=$1 table column=$3
    table=$(at_table "$2")
    shift 3
    at_helper_id=$((at_helper_id + 1))
    local id=$at_helper_id
    for word in $expected; do echo "$word"; done | sort > "$AT_EXP/$id.out"
    local words status
    words=$(ovn-nbctl --bare --columns "$column" find "$table" "$@" \
                2> "$AT_TMP/got.err")
    status=$?
    for word in $words; do echo "$word"; done | sort > "$AT_TMP/got.out"
    at_finish "$id" "${AT_LINE:-0}" 0 literal ignore $status
}

# check_row_count DB:TABLE COUNT [CONDITION...]: exactly COUNT rows of
# TABLE must match every CONDITION.
check_row_count() {
    local table count=$2
    table=$(at_table "$1")
    shift 2
    at_helper_id=$((at_helper_id + 1))
    local id=$at_helper_id
    echo "$count" > "$AT_EXP/$id.out"
    local rows status
    rows=$(ovn-nbctl --bare --columns _uuid find "$table" "$@" \
               2> "$AT_TMP/got.err")
    status=$?
    echo "$rows" | grep -c . > "$AT_TMP/got.out"
    at_finish "$id" "${AT_LINE:-0}" 0 literal ignore $status
}

# uuidfilt: replaces each UUID on standard input by <N>, numbering them
# in order of first appearance.
uuidfilt() {
    local h='[0-9a-f]' h4
    h4=$h$h$h$h
    awk -v re="$h4$h4-$h4-$h4-$h4-$h4$h4$h4" '
    {
        out = ""
        rest = $0
        while (match(rest, re)) {
            u = substr(rest, RSTART, RLENGTH)
            if (!(u in seen)) {
                seen[u] = n++
            }
            out = out substr(rest, 1, RSTART - 1) "<" seen[u] ">"
            rest = substr(rest, RSTART + RLENGTH)
        }
        print out rest
    }'
}

# on_exit COMMAND: the runner cleans up after each group itself.
on_exit() {
    :
}
