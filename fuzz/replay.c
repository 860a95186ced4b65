/*
 * Run a fuzz target's harness, without libFuzzer, over saved inputs: every
 * regular file in the directories (or the files) given.  This is how fuzz
 * findings stay regression tests in ordinary (gcc, ASan, valgrind) builds.
 * Prints "ok - FILE" per input; a broken invariant aborts.  Missing paths
 * are skipped (a target without findings has no directory yet).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t count;

static void run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	char chunk[65536];
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (len + n > cap) {
			cap = (len + n) * 2;
			buf = realloc(buf, cap);
			if (!buf) {
				perror("realloc");
				exit(1);
			}
		}
		memcpy(buf + len, chunk, n);
		len += n;
	}
	fclose(f);
	/* like libFuzzer, hand over a buffer of exactly the input's size */
	uint8_t *data = malloc(len ? len : 1);
	if (!data) {
		perror("malloc");
		exit(1);
	}
	if (len)
		memcpy(data, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	printf("ok - %s\n", path);
	count++;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		perror(dir);
		exit(1);
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		if (!names || !(names[n] = malloc(len))) {
			perror("malloc");
			exit(1);
		}
		snprintf(names[n++], len, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (!stat(names[i], &st) && S_ISREG(st.st_mode))
			run_file(names[i]);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st)) {
			/* a target without saved findings yet has no directory */
			printf("# no %s\n", argv[i]);
			continue;
		}
		if (S_ISDIR(st.st_mode))
			run_dir(argv[i]);
		else
			run_file(argv[i]);
	}
	printf("%zu passed, 0 failed\n", count);
	return 0;
}
