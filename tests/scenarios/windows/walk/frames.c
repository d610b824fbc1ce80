/* How many frames Windows' own unwinder finds above this call
 * (RtlCaptureStackBackTrace): it steps over Tessera's frames with their
 * .pdata/.xdata unwind information. */
#include <windows.h>

__declspec(dllexport) int frames(void) {
    void *pcs[128];
    return (int)RtlCaptureStackBackTrace(0, 128, pcs, NULL);
}
