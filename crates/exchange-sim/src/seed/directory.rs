//! Directory attributes of the seeded users ([MS-OXOABK] 2.2.4): title,
//! department, company, phones, office and, for the demo users alice and
//! bob, a thumbnail photo (PidTagThumbnailPhoto, a JPEG) — what the GAL
//! serves over NSPI.

use mapi_wire::PropTag;
use mapi_wire::prop_value::PropValue;

use super::contacts::CONTACT_PHOTO;
use super::s;
use crate::nspi::tags::THUMBNAIL_PHOTO;
use crate::store::{Mailbox, PropBag, StoreResult};

/// PidTagBusinessTelephoneNumber, PidTagMobileTelephoneNumber,
/// PidTagOfficeLocation, PidTagCompanyName.
const BUSINESS_PHONE: PropTag = PropTag(0x3A08_001F);
const MOBILE_PHONE: PropTag = PropTag(0x3A1C_001F);
const OFFICE: PropTag = PropTag(0x3A19_001F);
const COMPANY: PropTag = PropTag(0x3A16_001F);

/// Sets the attributes of user number `index` (`address`).
pub fn attributes(mb: &Mailbox, index: usize, address: &str) -> StoreResult<()> {
    let (title, department) = match address {
        "alice@example.test" => ("Project Manager", "Engineering"),
        "bob@example.test" => ("Software Engineer", "Engineering"),
        _ => ("Consultant", "Services"),
    };
    let mut bag = PropBag::from_pairs([
        (PropTag(0x3A17_001F), s(title)),
        (PropTag(0x3A18_001F), s(department)),
        (COMPANY, s("Example Ltd.")),
        (BUSINESS_PHONE, s(&format!("+49 30 5550 {:03}", 100 + index))),
        (MOBILE_PHONE, s(&format!("+49 170 5550 {:03}", 200 + index))),
        (OFFICE, s(&format!("Berlin, Room {}", 101 + index))),
    ]);
    if matches!(address, "alice@example.test" | "bob@example.test") {
        bag.set(THUMBNAIL_PHOTO, PropValue::Binary(CONTACT_PHOTO.to_vec()));
    }
    mb.set_directory_props(&bag)
}
