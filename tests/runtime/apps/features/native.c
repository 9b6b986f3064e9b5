/* Built by the test into libnative.so (the stage's `include`): answers a call once ctypes has loaded it. */
int native_answer(void) { return 42; }
