"""Stages: functions of one manifest row that return rows with new columns and a status."""
