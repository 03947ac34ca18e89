# controller programs and files.

# osmotic-controller: the per-host agent.
bin_PROGRAMS += controller/osmotic-controller
controller_osmotic_controller_SOURCES = \
	controller/osmotic-controller.c
controller_osmotic_controller_LDADD = controller/libcontroller.la \
	$(OSMOTIC_LDADD)
dist_man_MANS += controller/osmotic-controller.8

# The controller's modules, also linked by the unit tests.
noinst_LTLIBRARIES += controller/libcontroller.la
controller_libcontroller_la_SOURCES = \
	controller/bfd.c \
	controller/bfd.h \
	controller/bfd-packet.c \
	controller/bfd-packet.h \
	controller/binding.c \
	controller/binding.h \
	controller/br-int.c \
	controller/br-int.h \
	controller/chassis.c \
	controller/chassis.h \
	controller/color-detect.c \
	controller/color-detect.h \
	controller/ct-zones.c \
	controller/ct-zones.h \
	controller/ctrl-engine.c \
	controller/ctrl-engine.h \
	controller/desired.c \
	controller/desired.h \
	controller/encaps.c \
	controller/encaps.h \
	controller/flow-stats.c \
	controller/flow-stats.h \
	controller/gateway.c \
	controller/gateway.h \
	controller/gateway-announce.c \
	controller/gateway-announce.h \
	controller/gateway-claim.c \
	controller/gateway-claim.h \
	controller/inc-engine.c \
	controller/inc-engine.h \
	controller/lflow.c \
	controller/lflow.h \
	controller/local-datapaths.c \
	controller/local-datapaths.h \
	controller/mac-binding.c \
	controller/mac-binding.h \
	controller/ofctrl.c \
	controller/ofctrl.h \
	controller/ofctrl-flow.c \
	controller/ofctrl-flow.h \
	controller/physical.c \
	controller/physical.h \
	controller/physical-gateway.c \
	controller/physical-gateway.h \
	controller/pinctrl.c \
	controller/pinctrl.h \
	controller/pinctrl-arp.c \
	controller/pinctrl-arp.h \
	controller/pinctrl-icmp.c \
	controller/pinctrl-icmp.h \
	controller/pinctrl-log.c \
	controller/pinctrl-log.h \
	controller/pinctrl-nd.c \
	controller/pinctrl-nd.h \
	controller/pinctrl-packet.c \
	controller/pinctrl-packet.h \
	controller/pinctrl-reject.c \
	controller/pinctrl-reject.h \
	controller/pinctrl-send.c \
	controller/pinctrl-send.h \
	controller/pinctrl-svc-monitor.c \
	controller/pinctrl-svc-monitor.h \
	controller/rampout-stats.c \
	controller/rampout-stats.h \
	controller/runtime.c \
	controller/runtime.h \
	controller/sb-monitor.c \
	controller/sb-monitor.h \
	controller/svc-probe.c \
	controller/svc-probe.h
controller_libcontroller_la_LIBADD = $(OSMOTIC_LDADD)
