// Compiled with the store layer's include root by the test layering_right_way_include: the
// shared types are below the store, so this compiles (the control for the wrong-way test).
#include "core/records.h"
#include "store/store.h"
