/* tessera.h: the C API of the Tessera runtime (MODULES.md §5). */
#ifndef TESSERA_H
#define TESSERA_H

#ifdef __cplusplus
extern "C" {
#endif

/* The error an `extern fn ... throws` reports through its last parameter
   `tess_error **err`: set on failure (the result is then unspecified),
   left untouched on success. Free it with tess_error_free. */
typedef struct tess_error tess_error;

const char *tess_error_message(const tess_error *err);
const char *tess_error_class(const tess_error *err);
void tess_error_free(tess_error *err);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_H */
