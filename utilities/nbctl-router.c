#include <config.h>

#include "utilities/nbctl.h"

void
nbctl_router_register(void)
{
}
