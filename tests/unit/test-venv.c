#include "t.h"
#include "venv.h"

#include <stdlib.h>

static void test_cfg(void)
{
	const char *cfg = "home = /usr/bin\n"
			  "Include-System-Site-Packages =  true \n"
			  "version_info = 3.11.2.final.0\n"
			  "no equals sign here\n"
			  "version = 3.11.2";
	char *v;
	int line = 0;

	v = pyenv_cfg_get(cfg, "include-system-site-packages", &line);
	CHECK_STR(v, "true");
	CHECK_INT(line, 2);
	free(v);
	v = pyenv_cfg_get(cfg, "version", &line);
	CHECK_STR(v, "3.11.2");
	CHECK_INT(line, 5);
	free(v);
	CHECK_STR_FREE(pyenv_cfg_get(cfg, "version_info", &line), "3.11.2.final.0");
	CHECK(pyenv_cfg_get(cfg, "prompt", &line) == NULL);
	CHECK(pyenv_cfg_get("", "home", NULL) == NULL);
}

static void test_shebang(void)
{
	const char *plain = "#!/srv/app/.venv/bin/python3\nimport sys\n";
	const char *spaced = "#! /usr/bin/python3 -E\n";
	const char *tramp = "#!/bin/sh\n'''exec' \"/very/long/path/.venv/bin/python\" \"$0\" \"$@\"\n"
			    "' '''\n";
	const char *bare = "#!/bin/sh\n'''exec' /p/.venv/bin/python \"$0\" \"$@\"\n";
	const char *sh = "#!/bin/sh\necho hi\n";

	CHECK_STR_FREE(venv_shebang(plain, strlen(plain)), "/srv/app/.venv/bin/python3");
	CHECK_STR_FREE(venv_shebang(spaced, strlen(spaced)), "/usr/bin/python3");
	CHECK_STR_FREE(venv_shebang(tramp, strlen(tramp)), "/very/long/path/.venv/bin/python");
	CHECK_STR_FREE(venv_shebang(bare, strlen(bare)), "/p/.venv/bin/python");
	CHECK_STR_FREE(venv_shebang(sh, strlen(sh)), "/bin/sh");
	/* no newline, truncated */
	CHECK_STR_FREE(venv_shebang("#!/x/python", 11), "/x/python");
	CHECK(venv_shebang("\x7f" "ELF", 4) == NULL);
	CHECK(venv_shebang("#!", 2) == NULL);
	CHECK(venv_shebang("#", 1) == NULL);
	/* NUL bytes end the program name; none at all is no shebang (found by fuzz-pyvenv) */
	CHECK(venv_shebang("#!\0/x/python\n", 12) == NULL);
	CHECK_STR_FREE(venv_shebang("#!/x/py\0thon\n", 13), "/x/py");
}

int main(void)
{
	RUN(test_cfg);
	RUN(test_shebang);
	return T_DONE();
}
