"""志愿服务110: tickets from intake to follow-up, dispatch to teams, the dashboard."""
