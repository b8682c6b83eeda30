#ifndef TREADD_CMOSQUITTO_SHIM_H
#define TREADD_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#include <mqtt_protocol.h>

/* Constants that are macros in mosquitto.h, for Swift. */
static inline int cmosq_protocol_v5(void) { return MQTT_PROTOCOL_V5; }
static inline int cmosq_sub_opt_no_local(void) { return MQTT_SUB_OPT_NO_LOCAL; }
#endif
