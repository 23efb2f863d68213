// Compiled with the store layer's include root by the test layering_wrong_way_include: the store
// sits below the writers, so this include must not compile.
#include "report/writers.h"
