//! Writing the ICS grammar ([MS-OXCFXICS] 2.2.4.3) as FastTransfer elements.

use super::super::marker::{Marker, meta};
use super::super::writer::FxWriter;
use super::{MessageChange, MessageContent, PropList};
use crate::error::EncodeError;
use crate::prop_tag::PropTag;
use crate::prop_value::PropValue;

pub(super) fn write_props(w: &mut FxWriter, props: &PropList) -> Result<(), EncodeError> {
    props.iter().try_for_each(|p| w.property(p))
}

pub(super) fn write_message_change(w: &mut FxWriter, m: &MessageChange) -> Result<(), EncodeError> {
    if let Some(p) = &m.progress {
        w.marker(Marker::INCR_SYNC_PROGRESS_PER_MSG);
        w.prop(PropTag(0x0000_0003), PropValue::I32(p.size))?;
        w.prop(PropTag(0x0000_000B), PropValue::Bool(p.fai))?;
    }
    match &m.partial {
        None => {
            w.marker(Marker::INCR_SYNC_CHG);
            write_props(w, &m.header)?;
            w.marker(Marker::INCR_SYNC_MESSAGE);
            write_props(w, &m.content.props)?;
        }
        Some(p) => {
            w.marker(Marker::INCR_SYNC_GROUP_INFO);
            w.prop(PropTag(0x0000_0102), PropValue::Binary(p.group_info.clone()))?;
            if let Some(id) = p.group_id {
                w.prop(meta::INCR_SYNC_GROUP_ID, PropValue::I32(id as i32))?;
            }
            w.marker(Marker::INCR_SYNC_CHG_PARTIAL);
            write_props(w, &m.header)?;
            for (index, props) in &p.groups {
                w.prop(meta::INCREMENTAL_SYNC_MESSAGE_PARTIAL, PropValue::I32(*index as i32))?;
                write_props(w, props)?;
            }
        }
    }
    write_children(w, &m.content)
}

fn write_children(w: &mut FxWriter, c: &MessageContent) -> Result<(), EncodeError> {
    let mut del = c.del_props.iter();
    if let Some(t) = del.next() {
        w.prop(meta::FX_DEL_PROP, PropValue::I32(t.0 as i32))?;
    }
    for r in &c.recipients {
        w.marker(Marker::START_RECIP);
        write_props(w, r)?;
        w.marker(Marker::END_TO_RECIP);
    }
    if let Some(t) = del.next() {
        w.prop(meta::FX_DEL_PROP, PropValue::I32(t.0 as i32))?;
    }
    for a in &c.attachments {
        w.marker(Marker::NEW_ATTACH);
        write_props(w, &a.props)?;
        if let Some(e) = &a.embedded {
            w.marker(Marker::START_EMBED);
            write_props(w, &e.props)?;
            write_children(w, e)?;
            w.marker(Marker::END_EMBED);
        }
        w.marker(Marker::END_ATTACH);
    }
    Ok(())
}
