/* tests/guest/debug/gdbworker.c - a thread doing the work for gdb to
 * find: a breakpoint hit in the second thread, the thread list with the
 * first waiting in pthread_join, a watchpoint on the result.  It prints
 * nothing: the program's output would race with gdb's thread messages. */
#include <pthread.h>

int result;

int work(int x)
{
	int y = x * 6;
	return y;
}

static void *body(void *arg)
{
	result = work((int)(long)arg);
	return NULL;
}

int main(void)
{
	pthread_t th;
	pthread_create(&th, NULL, body, (void *)7L);
	pthread_join(th, NULL);
	return result != 42;
}
