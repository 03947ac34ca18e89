#include <config.h>

#include "utilities/nbctl.h"

void
nbctl_color_register(void)
{
}
