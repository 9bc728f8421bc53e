"""Column names of an aggregated table, shared by the pipeline, protection and the submission writer."""

PERIOD = "TIME_PERIOD"
VALUE = "OBS_VALUE"
RECORDS = "RECORDS"
LARGEST = "LARGEST"
SECOND = "SECOND"
KEYS = "KEYS"
CONF_STATUS = "CONF_STATUS"
