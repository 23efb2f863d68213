#include "common/error.h"

// Keeps the vtable of Error in one translation unit.
