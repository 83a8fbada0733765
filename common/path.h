/* Lexical path helpers: no I/O unless the name says so. Results are malloc'd. */
#ifndef DEPLOY_RUN_PATH_H
#define DEPLOY_RUN_PATH_H

#include <stdbool.h>

/* a/b; when b is absolute, b. */
char *path_join(const char *a, const char *b);
/* The directory part ("." when there is none). */
char *path_dirname(const char *p);
/* The last component. Points into p. */
const char *path_basename(const char *p);
/* Removes ".", "..", and repeated slashes lexically; keeps leading "..". */
char *path_normalize(const char *p);
/* An absolute, normalised path: relative paths are taken against base
 * (the working directory when base is NULL). No symlinks are resolved. */
char *path_absolute(const char *p, const char *base);
/* True when name is "." or "..", the entries readdir() lists that are no files. */
bool path_is_dot(const char *name);
/* True when p is inside dir (or equal to it), lexically, both absolute. */
bool path_is_inside(const char *p, const char *dir);
/* I/O: true when the path exists (lstat). */
bool path_exists(const char *p);
/* I/O: true when the path is a directory (stat). */
bool path_is_dir(const char *p);

#endif
