/* A C library posing as a Tessera module, whose descriptor's name points
   outside the library. */
struct descriptor {
    const char *name;
    void (*init)(void);
    const char *const *uses;
    unsigned long nuses;
};
struct descriptor tess_library_module = { (const char *)0x1234, 0, 0, 0 };
