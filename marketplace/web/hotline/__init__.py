"""Pages of 志愿服务110."""
