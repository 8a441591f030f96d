/*
 * main.c - main() for Zephyr applications that have none (their work is in
 * K_THREAD_DEFINE threads, as in Zephyr's multi_endpoint sample).  Linked
 * from libipc_emu_zephyr_main.a only when the program defines no main():
 * returning 0 lets the threads run to their end (emu/zephyr_thread.c).
 */
int main(void);

__attribute__((weak)) int main(void)
{
	return 0;
}
