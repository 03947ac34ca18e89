/*
 * The lexer of the match language.
 *
 * The lexer turns a match string into tokens one at a time.  Each token
 * remembers its 1-based column and its source text, so that the parser
 * can name the offending token in an error message.  Lexical errors
 * (a malformed number, an unterminated string) become an
 * EXPR_TOK_ERROR token whose 'error' says what is wrong; the parser
 * reports it like any other unexpected token.
 *
 * Constants are decoded here: decimal and 0x hexadecimal integers of up
 * to 128 bits, MAC addresses, IPv4 and IPv6 addresses (strictly: every
 * IPv4 octet must be 0..255), each optionally followed by "/MASK", where
 * MASK is itself such a constant.  Whether MASK is a prefix length or a
 * bit mask is for the parser to decide, since it depends on the field.
 *
 * ".." ends a name or constant and is a token of its own, so that the bit
 * range of a subfield, "vlan.tci[12..15]", lexes as "vlan.tci", "[",
 * "12", "..", "15", "]".  No address contains "..".
 */
#ifndef EXPR_LEX_H
#define EXPR_LEX_H 1

#include <stdbool.h>

#include "lib/expr-symtab.h"

/* Kinds of token. */
enum expr_token_type {
    EXPR_TOK_END,               /* End of input. */
    EXPR_TOK_ERROR,             /* Lexical error, see 'error'. */
    EXPR_TOK_ID,                /* Name, e.g. "ip4.src", in 's'. */
    EXPR_TOK_CONST,             /* Constant, see 'format' and 'value'. */
    EXPR_TOK_STRING,            /* Quoted string, unquoted in 's'. */
    EXPR_TOK_ADDR_SET,          /* $name: address set, name in 's'. */
    EXPR_TOK_PORT_GROUP,        /* @name: port group, name in 's'. */
    EXPR_TOK_EQ,                /* == */
    EXPR_TOK_NE,                /* != */
    EXPR_TOK_LT,                /* < */
    EXPR_TOK_LE,                /* <= */
    EXPR_TOK_GT,                /* > */
    EXPR_TOK_GE,                /* >= */
    EXPR_TOK_AND,               /* && */
    EXPR_TOK_OR,                /* || */
    EXPR_TOK_NOT,               /* ! */
    EXPR_TOK_LPAREN,            /* ( */
    EXPR_TOK_RPAREN,            /* ) */
    EXPR_TOK_LCURLY,            /* { */
    EXPR_TOK_RCURLY,            /* } */
    EXPR_TOK_COMMA,             /* , */
    EXPR_TOK_LSQUARE,           /* [ */
    EXPR_TOK_RSQUARE,           /* ] */
    EXPR_TOK_ELLIPSIS,          /* .. */
};

/* One constant: an integer or address as written. */
struct expr_constant {
    enum expr_format format;    /* DEC or HEX integer, MAC, IPV4, IPV6. */
    struct expr_value value;    /* The value, right-aligned. */
};

/* The current token of a lexer.  Its strings belong to the lexer and
 * are valid until the next call to expr_lexer_next(). */
struct expr_token {
    enum expr_token_type type;  /* Kind of token. */
    int column;                 /* 1-based column of its first byte. */
    char *text;                 /* Source text, as written. */
    char *s;                    /* ID, STRING, ADDR_SET, PORT_GROUP. */
    char *error;                /* ERROR: what is wrong. */
    struct expr_constant c;     /* CONST: the value. */
    bool has_mask;              /* CONST: "/MASK" was given. */
    struct expr_constant mask;  /* CONST with 'has_mask': the mask. */
    char *mask_text;            /* CONST with 'has_mask': MASK as written. */
};

/* A lexer over one string. */
struct expr_lexer {
    const char *input;          /* Whole input, for columns. */
    const char *p;              /* Start of the next token. */
    struct expr_token token;    /* Current token. */
};

void expr_lexer_init(struct expr_lexer *, const char *input);
void expr_lexer_next(struct expr_lexer *);
void expr_lexer_destroy(struct expr_lexer *);

void expr_token_clone(struct expr_token *dst, const struct expr_token *);
void expr_token_destroy(struct expr_token *);

const char *expr_token_type_text(enum expr_token_type);

#endif /* lib/expr-lex.h */
