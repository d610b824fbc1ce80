import ctypes
lib = ctypes.CDLL('./libcalc.so')
lib.add.restype = ctypes.c_int64
lib.add.argtypes = [ctypes.c_int64, ctypes.c_int64]
lib.counted.restype = ctypes.c_int64
lib.hyp.restype = ctypes.c_double
lib.hyp.argtypes = [ctypes.c_double, ctypes.c_double]
print(lib.add(40, 2), lib.counted(), lib.hyp(5.0, 12.0))
