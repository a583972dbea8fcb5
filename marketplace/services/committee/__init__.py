"""The 大党委 (a community's joint party committee), its 兼职委员 and their attendance."""
