// Linked with one library whole and only what that library declares it uses (CMakeLists.txt):
// an object calling into a layer or domain above it, or beside it, fails this link.
int main() { return 0; }
