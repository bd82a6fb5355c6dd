#ifndef COUNT_PIPELINE_CHIREDIS_SHIM_H
#define COUNT_PIPELINE_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#endif
