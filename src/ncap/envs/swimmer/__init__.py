"""The dm_control swimmer of any number of links, and its swim and navigate tasks."""
