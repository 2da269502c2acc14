/* placeholder replaced in the next commit */
int main(void) { return 1; }
