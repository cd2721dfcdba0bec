"""Contract tests: the fake KoBo answers as kobotoolbox/kpi does, and the client keeps to it."""
