/*
 * excerpts.c - check that every C excerpt in a Markdown file is real code.
 *
 * The tutorial quotes the source. Quotes drift when the source changes, so
 * every ```c block must say where it comes from, on its first line:
 *
 *     // common/resp.c                 the lines below are in that file
 *     // sketch: not in the source     an illustration; not checked
 *
 * The lines of an excerpt must appear in the named file, consecutively and
 * exactly. A line holding only "// ..." (indented or not) marks an omission:
 * the pieces around it must each appear consecutively, in order, later
 * pieces after earlier ones.
 *
 * Usage: excerpts [-v] FILE.md     (paths in excerpts are relative to the
 *                                   current directory)
 * Prints one line per problem; exits 1 if there was any, 0 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lines {
    char **line;
    size_t count, cap;
};

static void lines_add(struct lines *l, const char *s, size_t n) {
    if (l->count == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->line = realloc(l->line, l->cap * sizeof *l->line);
        if (l->line == NULL) {
            perror("realloc");
            exit(2);
        }
    }
    char *copy = malloc(n + 1);
    if (copy == NULL) {
        perror("malloc");
        exit(2);
    }
    memcpy(copy, s, n);
    copy[n] = '\0';
    l->line[l->count++] = copy;
}

static void lines_free(struct lines *l) {
    for (size_t i = 0; i < l->count; i++) free(l->line[i]);
    free(l->line);
    memset(l, 0, sizeof *l);
}

/* Read a file as lines, without their newlines. Returns 0, or -1. */
static int read_lines(const char *path, struct lines *out) {
    FILE *f = fopen(path, "r");
    if (f == NULL) return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) n--;
        lines_add(out, line, (size_t)n);
    }
    free(line);
    fclose(f);
    return 0;
}

static int is_omission(const char *s) {
    while (*s == ' ' || *s == '\t') s++;
    return strcmp(s, "// ...") == 0;
}

/* Find lines piece[0..n) consecutively in src at or after `from`; returns
 * the index just past the match, or (size_t)-1. */
static size_t find_piece(const struct lines *src, size_t from, char **piece, size_t n) {
    for (size_t start = from; start + n <= src->count; start++) {
        size_t k = 0;
        while (k < n && strcmp(src->line[start + k], piece[k]) == 0) k++;
        if (k == n) return start + n;
    }
    return (size_t)-1;
}

/* Check one excerpt (its lines after the marker line). Returns problems found. */
static int check_excerpt(const char *md, size_t md_line, const char *path, char **body, size_t n,
                         int verbose) {
    struct lines src = {0};
    if (read_lines(path, &src) != 0) {
        printf("%s:%zu: excerpt names %s, which cannot be read\n", md, md_line, path);
        return 1;
    }
    int problems = 0;
    size_t from = 0, i = 0;
    while (i < n) {
        size_t start = i;
        while (i < n && !is_omission(body[i])) i++;
        if (i > start) {
            size_t end = find_piece(&src, from, body + start, i - start);
            if (end == (size_t)-1) {
                printf("%s:%zu: these %zu lines are not in %s (in this order):\n", md,
                       md_line + 1 + start, i - start, path);
                for (size_t k = start; k < i; k++) printf("    | %s\n", body[k]);
                problems++;
                break;
            }
            from = end;
        }
        i++; /* skip the omission marker */
    }
    if (verbose && problems == 0) printf("%s:%zu: ok, %zu lines of %s\n", md, md_line, n, path);
    lines_free(&src);
    return problems;
}

int main(int argc, char **argv) {
    int verbose = argc > 2 && strcmp(argv[1], "-v") == 0;
    const char *md = argv[argc - 1];
    if (argc < 2) {
        fprintf(stderr, "usage: excerpts [-v] FILE.md\n");
        return 2;
    }
    struct lines doc = {0};
    if (read_lines(md, &doc) != 0) {
        perror(md);
        return 2;
    }
    int problems = 0, excerpts = 0, sketches = 0;
    for (size_t i = 0; i < doc.count; i++) {
        if (strcmp(doc.line[i], "```c") != 0) continue;
        size_t open = i + 1; /* 1-based line number of the fence */
        size_t end = i + 1;
        while (end < doc.count && strcmp(doc.line[end], "```") != 0) end++;
        if (end == doc.count) {
            printf("%s:%zu: ```c block is never closed\n", md, open);
            problems++;
            break;
        }
        const char *marker = i + 1 < end ? doc.line[i + 1] : "";
        if (strncmp(marker, "// sketch", 9) == 0) {
            sketches++;
        } else if (strncmp(marker, "// ", 3) == 0 && strchr(marker + 3, ' ') == NULL &&
                   marker[3] != '\0') {
            excerpts++;
            problems += check_excerpt(md, open + 1, marker + 3, doc.line + i + 2, end - i - 2,
                                      verbose);
        } else {
            printf("%s:%zu: a ```c block must start with \"// path/to/file.c\" or "
                   "\"// sketch: ...\"\n", md, open);
            problems++;
        }
        i = end;
    }
    printf("%d excerpts checked, %d sketches skipped, %d problems\n", excerpts, sketches,
           problems);
    lines_free(&doc);
    return problems == 0 ? 0 : 1;
}
