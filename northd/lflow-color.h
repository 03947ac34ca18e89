/*
 * Logical flows of traffic colouring: stage ls_in_color of every switch.
 *
 * One owner kind, lflow_color_kind, one owner per Logical_Switch: the
 * flows that the flow classes (NB Flow_Class) give that switch.  Each
 * class's match, in the match language, is compiled for the switch
 * (northd/nb-match.h: its port names and port groups are the switch's
 * ports, "$PG_ip4" the addresses of a port group's ports), together with its mirror image (source and destination fields
 * exchanged), so that both directions of a connection of the class get
 * its colour; flows identical in several switches are one SB row through
 * a datapath group, whose "source" names the class, "Flow_Class:UUID".
 *
 * With class priority p (clamped to 32766), a class that only colours
 * has one flow:
 *
 *     2p+3   M            color = C; next;
 *
 * and a class that promotes (SB Color_Promotion rule R) two:
 *
 *     2p+3   M && color == 0   color = C; color_sample(R); next;
 *     2p+2   M                 next;
 *
 * The first starts a connection with the class's colour and samples it
 * for the host's elephant detector; the second keeps the colour a
 * promoted connection found in table 9, so that no class of lower
 * priority takes it away, while a class of higher priority still
 * decides.  Below the classes, the colour of anything else:
 *
 *     1      color == 0   color = MOUSE; next;
 *     0                   next;
 *
 * A class whose match tests outport, which no packet has yet in this
 * stage (osmotic-nbctl refuses such a match), gets no flow, with a
 * warning.  A switch gets none of these while no flow class exists.  The owners
 * depend on the whole Flow_Class and Color tables, and on the port
 * groups and address sets their matches name, so a class or colour that
 * changes rebuilds every switch's colour flows (classes are few).
 */
#ifndef NORTHD_LFLOW_COLOR_H
#define NORTHD_LFLOW_COLOR_H 1

#include "northd/owners.h"

extern const struct nd_owner_kind lflow_color_kind;

#endif /* northd/lflow-color.h */
