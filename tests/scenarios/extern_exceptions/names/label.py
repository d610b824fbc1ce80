import ctypes
lib = ctypes.CDLL('./libnames.so')
lib.label.restype = ctypes.c_void_p
lib.label.argtypes = [ctypes.c_int64]
lib.churn.restype = ctypes.c_int64
lib.churn.argtypes = [ctypes.c_int64]
p = lib.label(7)
lib.churn(1000)
print(ctypes.string_at(p).decode())
