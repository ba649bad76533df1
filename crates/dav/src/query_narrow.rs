//! What of a CALDAV:filter or CARDDAV:filter the backend may use to narrow
//! a query ([`mailbox::ItemQuery`]): only conditions every matching item
//! satisfies, so the candidates are a superset and the exact evaluation in
//! `report` decides.

use mailbox::{ItemQuery, TextCondition};

use super::parse_utc;
use crate::xml::{CALDAV, CARDDAV, Element};
use mapi_wire::prop_value::FileTime;

/// A calendar filter (RFC 4791 §9.7): the time range of the first
/// component filter under VCALENDAR that has one. Every component filter
/// must hold, and one with a time range (not `is-not-defined`) holds only
/// for an item with an occurrence in it, or for a task (which the
/// backend never excludes).
pub(super) fn calendar(filter: &Element) -> ItemQuery {
    let range = filter
        .child(CALDAV, "comp-filter")
        .into_iter()
        .flat_map(|cal| cal.children_named(CALDAV, "comp-filter"))
        .filter(|comp| comp.child(CALDAV, "is-not-defined").is_none())
        .find_map(|comp| comp.child(CALDAV, "time-range"))
        .map(|range| {
            let from = range.attr("start").and_then(parse_utc).unwrap_or(FileTime(0));
            let to = range.attr("end").and_then(parse_utc).unwrap_or(FileTime(u64::MAX));
            (from, to)
        });
    ItemQuery { time_range: range, text: None }
}

/// An address-book filter (RFC 6352 §10.5): its prop-filters as text
/// conditions, where they are plain substring tests.
pub(super) fn card(filter: Option<&Element>) -> ItemQuery {
    let text = filter.and_then(|f| {
        let parts: Vec<Option<TextCondition>> = f.children_named(CARDDAV, "prop-filter").map(prop_filter).collect();
        combine(is_allof(f), parts)
    });
    ItemQuery { time_range: None, text }
}

fn is_allof(el: &Element) -> bool {
    el.attr("test").is_some_and(|t| t.eq_ignore_ascii_case("allof"))
}

/// All of the known conditions (unknown ones narrow nothing), or any of
/// them (one unknown: nothing is narrowed).
fn combine(all: bool, parts: Vec<Option<TextCondition>>) -> Option<TextCondition> {
    if parts.is_empty() {
        return None;
    }
    if all {
        let known: Vec<_> = parts.into_iter().flatten().collect();
        (!known.is_empty()).then_some(TextCondition::AllOf(known))
    } else {
        parts.into_iter().collect::<Option<Vec<_>>>().map(TextCondition::AnyOf)
    }
}

fn prop_filter(pf: &Element) -> Option<TextCondition> {
    let name = pf.attr("name")?;
    if pf.child(CARDDAV, "is-not-defined").is_some() {
        return None;
    }
    let parts: Vec<Option<TextCondition>> = pf
        .children_named(CARDDAV, "text-match")
        .map(|tm| {
            let negated = tm.attr("negate-condition").is_some_and(|n| n == "yes");
            (!negated).then(|| TextCondition::Contains { property: name.to_owned(), needle: tm.text.clone() })
        })
        .collect();
    combine(is_allof(pf), parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(xml: &str) -> Element {
        crate::xml::parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn only_necessary_card_conditions_are_kept() {
        let f = el(r#"<card:filter xmlns:card="urn:ietf:params:xml:ns:carddav" test="anyof">
            <card:prop-filter name="EMAIL"><card:text-match>bob@</card:text-match></card:prop-filter>
            <card:prop-filter name="FN"><card:text-match negate-condition="yes">Ann</card:text-match></card:prop-filter>
            </card:filter>"#);
        assert_eq!(card(Some(&f)).text, None, "anyof with a negated match: any card may match");
        let f = el(r#"<card:filter xmlns:card="urn:ietf:params:xml:ns:carddav" test="allof">
            <card:prop-filter name="EMAIL"><card:text-match>bob@</card:text-match></card:prop-filter>
            <card:prop-filter name="FN"><card:is-not-defined/></card:prop-filter>
            </card:filter>"#);
        let want = TextCondition::AllOf(vec![TextCondition::AnyOf(vec![TextCondition::Contains {
            property: "EMAIL".into(),
            needle: "bob@".into(),
        }])]);
        assert_eq!(card(Some(&f)).text, Some(want));
    }

    #[test]
    fn time_range_of_a_component_filter() {
        let f = el(r#"<c:filter xmlns:c="urn:ietf:params:xml:ns:caldav"><c:comp-filter name="VCALENDAR">
            <c:comp-filter name="VEVENT"><c:time-range start="20260105T000000Z" end="20260106T000000Z"/></c:comp-filter>
            </c:comp-filter></c:filter>"#);
        let q = calendar(&f);
        assert_eq!(
            q.time_range,
            Some((parse_utc("20260105T000000Z").unwrap(), parse_utc("20260106T000000Z").unwrap()))
        );
        let f = el(r#"<c:filter xmlns:c="urn:ietf:params:xml:ns:caldav"><c:comp-filter name="VCALENDAR">
            <c:comp-filter name="VEVENT"><c:is-not-defined/><c:time-range start="20260105T000000Z"/></c:comp-filter>
            </c:comp-filter></c:filter>"#);
        assert_eq!(calendar(&f).time_range, None);
    }
}
