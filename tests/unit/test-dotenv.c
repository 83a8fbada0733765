#include "t.h"
#include "dotenv.h"

#include <stdlib.h>

static void test_basic(void)
{
	struct dotenv d = DOTENV_INIT;
	struct error err = ERROR_INIT;

	CHECK_INT(dotenv_parse("A=1\n", 4, "t.env", &d, &err), 0);
	CHECK_INT(d.n, 1);
	dotenv_finish(&d);
}

int main(void)
{
	RUN(test_basic);
	return T_DONE();
}
