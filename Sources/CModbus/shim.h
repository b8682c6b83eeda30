#ifndef TREADD_CMODBUS_SHIM_H
#define TREADD_CMODBUS_SHIM_H
#include <errno.h>
#include <modbus.h>

/* libmodbus reports errors through errno; its own codes are macros built on
   MODBUS_ENOBASE, which Swift cannot import, so they are re-exported here. */
static inline int cmodbus_errno(void) { return errno; }
static inline void cmodbus_clear_errno(void) { errno = 0; }
static inline int cmodbus_enobase(void) { return MODBUS_ENOBASE; }
static inline int cmodbus_embbadcrc(void) { return EMBBADCRC; }
static inline int cmodbus_embbaddata(void) { return EMBBADDATA; }
static inline int cmodbus_embbadexc(void) { return EMBBADEXC; }
static inline int cmodbus_embmdata(void) { return EMBMDATA; }
static inline int cmodbus_embbadslave(void) { return EMBBADSLAVE; }
static inline int cmodbus_embunkexc(void) { return EMBUNKEXC; }
static inline int cmodbus_exception_max(void) { return MODBUS_EXCEPTION_MAX; }
static inline int cmodbus_tcp_max_adu(void) { return MODBUS_TCP_MAX_ADU_LENGTH; }
static inline int cmodbus_rtu_rs485(void) { return MODBUS_RTU_RS485; }
static inline int cmodbus_rtu_rts_up(void) { return MODBUS_RTU_RTS_UP; }
static inline int cmodbus_rtu_rts_down(void) { return MODBUS_RTU_RTS_DOWN; }
static inline const char *cmodbus_version_string(void) { return LIBMODBUS_VERSION_STRING; }
#endif
