#include <config.h>

#include "utilities/nbctl.h"

void
nbctl_policy_register(void)
{
}
