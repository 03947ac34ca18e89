#include <config.h>

#include "lib/expr-lex.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "util.h"

/* Starts lexing 'input' and reads the first token. */
void
expr_lexer_init(struct expr_lexer *lexer, const char *input)
{
    lexer->input = input;
    lexer->p = input;
    memset(&lexer->token, 0, sizeof lexer->token);
    expr_lexer_next(lexer);
}

/* Frees the strings of the current token and zeroes it. */
static void
token_clear(struct expr_token *token)
{
    free(token->text);
    free(token->s);
    free(token->error);
    free(token->mask_text);
    memset(token, 0, sizeof *token);
}

/* Frees what the lexer holds. */
void
expr_lexer_destroy(struct expr_lexer *lexer)
{
    if (lexer) {
        token_clear(&lexer->token);
    }
}

/* Returns true if 'c' may appear in a name or a constant. */
static bool
is_word_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '.' || c == ':';
}

/* Returns true if 'c' may appear in an address set or port group name. */
static bool
is_set_name_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '.' || c == '-';
}

/* Returns true if 's' is written as a MAC address, xx:xx:xx:xx:xx:xx. */
static bool
looks_like_mac(const char *s)
{
    if (strlen(s) != 17) {
        return false;
    }
    for (int i = 0; i < 17; i++) {
        if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char) s[i])) {
            return false;
        }
    }
    return true;
}

/* Parses hexadecimal digits 's' (without "0x") into '*value'. */
static char *
parse_hex(const char *s, const char *word, struct expr_value *value)
{
    memset(value, 0, sizeof *value);
    if (!*s) {
        return xasprintf("%s is not a valid hexadecimal number", word);
    }
    while (*s == '0' && s[1]) {
        s++;
    }
    size_t n = strlen(s);
    if (n > 32) {
        return xasprintf("%s is too large (more than 128 bits)", word);
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[n - 1 - i];
        if (!isxdigit(c)) {
            return xasprintf("%s is not a valid hexadecimal number", word);
        }
        int digit = hexit_value(c);
        value->b[15 - i / 2] |= i % 2 ? digit << 4 : digit;
    }
    return NULL;
}

/* Parses decimal digits 's' into '*value'. */
static char *
parse_decimal(const char *s, struct expr_value *value)
{
    memset(value, 0, sizeof *value);
    for (const char *p = s; *p; p++) {
        if (!isdigit((unsigned char) *p)) {
            return xasprintf("%s is not a valid number", s);
        }
        unsigned int carry = *p - '0';
        for (int i = 15; i >= 0; i--) {
            carry += value->b[i] * 10;
            value->b[i] = carry & 0xff;
            carry >>= 8;
        }
        if (carry) {
            return xasprintf("%s is too large (more than 128 bits)", s);
        }
    }
    return NULL;
}

/* Parses 'word' as a constant into '*c'.  Returns NULL or an error. */
static char *
parse_constant(const char *word, struct expr_constant *c)
{
    memset(c, 0, sizeof *c);
    if (strchr(word, ':')) {
        struct in6_addr in6;
        if (looks_like_mac(word)) {
            struct eth_addr ea;
            if (eth_addr_from_string(word, &ea)) {
                c->format = EXPR_FMT_MAC;
                memcpy(&c->value.b[10], ea.ea, 6);
                return NULL;
            }
        } else if (inet_pton(AF_INET6, word, &in6) == 1) {
            c->format = EXPR_FMT_IPV6;
            memcpy(c->value.b, &in6, 16);
            return NULL;
        }
        return xasprintf("%s is not a valid MAC or IPv6 address", word);
    } else if (word[0] == '0' && (word[1] == 'x' || word[1] == 'X')) {
        c->format = EXPR_FMT_HEX;
        return parse_hex(word + 2, word, &c->value);
    } else if (strchr(word, '.')) {
        ovs_be32 ip;
        if (inet_pton(AF_INET, word, &ip) == 1) {
            c->format = EXPR_FMT_IPV4;
            memcpy(&c->value.b[12], &ip, 4);
            return NULL;
        }
        return xasprintf("%s is not a valid IPv4 address", word);
    } else {
        c->format = EXPR_FMT_DEC;
        return parse_decimal(word, &c->value);
    }
}

/* Returns a copy of the 'n' bytes at 'p'. */
static char *
copy_text(const char *p, size_t n)
{
    return xmemdup0(p, n);
}

/* Scans a run of word characters at 'p' and returns its end, which is
 * also before "..", the bit range operator. */
static const char *
scan_word(const char *p)
{
    while (is_word_char(*p) && !(p[0] == '.' && p[1] == '.')) {
        p++;
    }
    return p;
}

/* Lexes a name or a constant starting at lexer->p. */
static void
lex_word(struct expr_lexer *lexer)
{
    struct expr_token *token = &lexer->token;
    const char *start = lexer->p;
    const char *end = scan_word(start);
    char *word = copy_text(start, end - start);

    if ((isalpha((unsigned char) *start) || *start == '_')
        && !strchr(word, ':')) {
        token->type = EXPR_TOK_ID;
        token->s = word;
        token->text = xstrdup(word);
        lexer->p = end;
        return;
    }

    token->type = EXPR_TOK_CONST;
    token->error = parse_constant(word, &token->c);
    free(word);
    if (!token->error && *end == '/') {
        const char *mask_start = end + 1;
        const char *mask_end = scan_word(mask_start);
        token->has_mask = true;
        token->mask_text = copy_text(mask_start, mask_end - mask_start);
        if (mask_end == mask_start) {
            token->error = xstrdup("\"/\" must be followed by a mask or "
                                   "prefix length");
        } else {
            token->error = parse_constant(token->mask_text, &token->mask);
        }
        end = mask_end;
    }
    if (token->error) {
        token->type = EXPR_TOK_ERROR;
    }
    token->text = copy_text(start, end - start);
    lexer->p = end;
}

/* Lexes a quoted string starting at lexer->p.  A backslash escapes the
 * character that follows it. */
static void
lex_string(struct expr_lexer *lexer)
{
    struct expr_token *token = &lexer->token;
    const char *start = lexer->p;
    const char *p = start + 1;
    struct ds s = DS_EMPTY_INITIALIZER;

    for (;;) {
        if (*p == '\0' || (*p == '\\' && p[1] == '\0')) {
            token->type = EXPR_TOK_ERROR;
            token->error = xstrdup("unterminated string (missing closing "
                                   "quote)");
            break;
        } else if (*p == '"') {
            token->type = EXPR_TOK_STRING;
            p++;
            break;
        } else if (*p == '\\') {
            p++;
        }
        ds_put_char(&s, *p++);
    }
    token->s = ds_steal_cstr(&s);
    token->text = copy_text(start, p - start);
    lexer->p = p;
}

/* Lexes "$name" or "@name" starting at lexer->p. */
static void
lex_set_name(struct expr_lexer *lexer, enum expr_token_type type)
{
    struct expr_token *token = &lexer->token;
    const char *start = lexer->p;
    const char *p = start + 1;

    while (is_set_name_char(*p)) {
        p++;
    }
    token->text = copy_text(start, p - start);
    if (p == start + 1) {
        token->type = EXPR_TOK_ERROR;
        token->error = xasprintf("\"%c\" must be followed by a name",
                                 *start);
    } else {
        token->type = type;
        token->s = copy_text(start + 1, p - start - 1);
    }
    lexer->p = p;
}

/* Operators and punctuation, longest first. */
static const struct {
    const char *text;           /* As written. */
    enum expr_token_type type;  /* Token it makes. */
} operators[] = {
    { "==", EXPR_TOK_EQ }, { "!=", EXPR_TOK_NE }, { "<=", EXPR_TOK_LE },
    { ">=", EXPR_TOK_GE }, { "&&", EXPR_TOK_AND }, { "||", EXPR_TOK_OR },
    { "<", EXPR_TOK_LT }, { ">", EXPR_TOK_GT }, { "!", EXPR_TOK_NOT },
    { "(", EXPR_TOK_LPAREN }, { ")", EXPR_TOK_RPAREN },
    { "{", EXPR_TOK_LCURLY }, { "}", EXPR_TOK_RCURLY },
    { ",", EXPR_TOK_COMMA }, { "[", EXPR_TOK_LSQUARE },
    { "]", EXPR_TOK_RSQUARE }, { "..", EXPR_TOK_ELLIPSIS },
};

/* Lexes an operator at lexer->p, or an error for a stray character. */
static void
lex_operator(struct expr_lexer *lexer)
{
    struct expr_token *token = &lexer->token;
    const char *p = lexer->p;

    for (size_t i = 0; i < ARRAY_SIZE(operators); i++) {
        size_t n = strlen(operators[i].text);
        if (!strncmp(p, operators[i].text, n)) {
            token->type = operators[i].type;
            token->text = xstrdup(operators[i].text);
            lexer->p += n;
            return;
        }
    }

    unsigned char c = *p;
    token->type = EXPR_TOK_ERROR;
    token->text = isprint(c) ? xasprintf("%c", c) : xasprintf("\\x%02x", c);
    if (c == '=' || c == '&' || c == '|') {
        token->error = xasprintf("unexpected \"%c\" (did you mean "
                                 "\"%c%c\"?)", c, c, c);
    } else {
        token->error = xasprintf("unexpected character \"%s\"",
                                 token->text);
    }
    lexer->p++;
}

/* Advances to the next token, replacing the current one. */
void
expr_lexer_next(struct expr_lexer *lexer)
{
    struct expr_token *token = &lexer->token;
    token_clear(token);

    while (isspace((unsigned char) *lexer->p)) {
        lexer->p++;
    }
    token->column = lexer->p - lexer->input + 1;

    unsigned char c = *lexer->p;
    if (c == '\0') {
        token->type = EXPR_TOK_END;
        token->text = xstrdup("end of input");
    } else if (is_word_char(c) && strncmp(lexer->p, "..", 2)) {
        lex_word(lexer);
    } else if (c == '"') {
        lex_string(lexer);
    } else if (c == '$') {
        lex_set_name(lexer, EXPR_TOK_ADDR_SET);
    } else if (c == '@') {
        lex_set_name(lexer, EXPR_TOK_PORT_GROUP);
    } else {
        lex_operator(lexer);
    }
}

/* Initializes 'dst' as a copy of 'src', which the parser keeps while the
 * lexer moves on (a constant written before its field). */
void
expr_token_clone(struct expr_token *dst, const struct expr_token *src)
{
    *dst = *src;
    dst->text = nullable_xstrdup(src->text);
    dst->s = nullable_xstrdup(src->s);
    dst->error = nullable_xstrdup(src->error);
    dst->mask_text = nullable_xstrdup(src->mask_text);
}

/* Frees what a token made by expr_token_clone() holds. */
void
expr_token_destroy(struct expr_token *token)
{
    token_clear(token);
}

/* Returns the text of an operator token type, for messages. */
const char *
expr_token_type_text(enum expr_token_type type)
{
    for (size_t i = 0; i < ARRAY_SIZE(operators); i++) {
        if (operators[i].type == type) {
            return operators[i].text;
        }
    }
    return "value";
}
