//! The fleet view: faults shared by several terminals, as incidents.
//!
//! Every terminal belongs to a few scopes: its site, its merchant, its model,
//! app version and firmware, its certificate's batch (the instant it
//! expires), its mobile carrier in its city, its acquirer host. The engine
//! reports each outcome: a success, or a failure sorted by kind (the link,
//! the host refusing the messages, the host refusing the merchant's
//! account, the terminal's own parts, the host refusing a certificate that
//! has expired, the host refusing a MAC); an ordinary card decline is
//! neither. A scope counts only the failure kinds it can share. When a
//! member fails, its scopes are judged; a scope *fires* when
//!
//! - most of the members heard from in the last five minutes are failing
//!   (an outage; not for versions and models; in a shop, two failures each
//!   on two terminals or one each on three; a sign of the mains failing —
//!   a bad supply reading, a power event, a battery-less terminal rebooted
//!   after losing power, a power-worded error — counts as two and as
//!   failing even while payments still go through; a terminal gone silent,
//!   nothing from it for two and a half of its heartbeat gaps, counts in
//!   its shop and carrier beside a member failing out loud, never alone:
//!   a closed shop is silent too; a certificate batch, over fifteen
//!   minutes, on handshakes refused after its expiry only), or
//! - a host's payments go unanswered (or a carrier's terminals fail) far
//!   more often over two or five minutes than its rate before explains, by
//!   a binomial test, one in ten at least, on terminals in three shops
//!   besides the one failing most, at two merchants at least (one
//!   merchant's shops alone were sent its parameters), and not mostly one
//!   bank's cards (a host overloaded, every third payment lost), or
//! - a host answers badly — with its own malfunction (`96` and the like; a
//!   timeout may be any link on the way), or a card payment far slower
//!   than its usual — far more often over ten, twenty or thirty minutes
//!   than its rate before explains, by a strict binomial test, on
//!   four terminals in three shops besides the one failing most, not mostly
//!   one bank's cards, and twice in the last five minutes still (a host
//!   overloaded, failing two payments in a hundred; `answers`), or
//! - over fifteen minutes far more of its members failed than the rest of
//!   the fleet would explain, by a binomial test (a bad release, a router
//!   dropping one payment in three), or
//! - account refusals reached two of a shop's or merchant's terminals, or
//!   protocol refusals two of a version's in two shops, or MACs refused
//!   three of a host's in two shops (its keys changed under them), or
//! - a merchant's payments were refused for its account on more distinct
//!   purchases (a retry is the same purchase) than its own past explains,
//!   by a binomial test, over five or fifteen minutes: two customers over
//!   a limit set too low, even on one busy terminal — unless the codes are
//!   ones a terminal's own set-up gives and only one terminal has them.
//!
//! A firing that lasts [`PERSIST_S`] opens an incident on the scope with the
//! most failing terminals — an acquirer outage is one host incident, not one
//! per site — unless a broader scope is firing too and may yet take it, or
//! most of its failing members are already another incident's (as broad or
//! broader, or another version or model with more of its own failing; a
//! bank's, for members whose failures were all its cards) and those left
//! over do not fail on their own: a down host's carriers and shops, a bad
//! firmware's models and app versions open nothing of their own. A
//! burst past chance, or three refusals, need not last. A broad incident
//! folds in the narrower open ones whose terminals it covers and whose kind
//! of failure it shares and fired on (a frozen merchant is not the host's
//! outage, nor a shop's router its host's keys changed). An
//! incident closes once its scope has stopped firing for [`CLOSE_QUIET_S`]
//! (one member that stays broken does not hold it open; an incident on
//! refusals, expired certificates or a release's crashes waits
//! [`ACCOUNT_CLOSE_QUIET_S`]); the scope failing again within
//! [`REOPEN_HOLD_S`] (those that waited longer to close, within
//! [`ACCOUNT_REOPEN_HOLD_S`]), in a way it fired on, resumes the same
//! incident, so a flickering fault does not flap — and its closing is announced only once
//! that hold has passed (or the records ended), so no incident is announced
//! closed and then goes on.
//!
//! A card issuer is a scope of cards, not terminals ([`Fleet::observe_card`]):
//! a bank's unanswered cards on three terminals in two shops, most of them
//! or far more often than other banks' cards, while the host answers other
//! banks. Its incident lists the terminals it reached without claiming
//! them: their other failures stay their own or their shop's.
//!
//! Memory: a fixed ring and a member list per scope, a few timestamps per
//! terminal. Incidents keep their member lists and stay listed once closed
//! (for the report); a stream of many days would want the closed ones
//! dropped after a while.

use posdoc_record::{Cause, Ts};
use rustc_hash::FxHashMap;

use posdoc_kb::CauseVec;

mod answers;
mod declines;
use crate::state::keep_latest;
use answers::HostAnswers;
use declines::{BinDeclines, Judged};

/// What a group of terminals shares, narrowest first (ties go to the
/// narrower scope: a shop with one site is a site fault).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScopeKind {
    Site,
    Merchant,
    Model,
    AppVersion,
    Firmware,
    /// A batch of certificates expiring at one instant (the inventory's
    /// `cert_not_after`): terminals installed together, renewed together
    /// or not at all.
    Certificate,
    Carrier,
    Host,
    /// A card issuer, known by a BIN: not a terminal's attribute but its
    /// customers' cards, so its members are whoever its cards failed on.
    Issuer,
}

impl ScopeKind {
    pub const ALL: [ScopeKind; 8] = [
        ScopeKind::Site,
        ScopeKind::Merchant,
        ScopeKind::Model,
        ScopeKind::AppVersion,
        ScopeKind::Firmware,
        ScopeKind::Certificate,
        ScopeKind::Carrier,
        ScopeKind::Host,
    ];
    /// The kinds a terminal belongs to by its inventory (all but
    /// [`ScopeKind::Issuer`]).
    pub const COUNT: usize = 8;

    /// The contract's scope key (`site_id`, `host`, ...).
    pub fn id(self) -> &'static str {
        match self {
            ScopeKind::Site => "site_id",
            ScopeKind::Merchant => "merchant_id",
            ScopeKind::Model => "model",
            ScopeKind::AppVersion => "app_version",
            ScopeKind::Firmware => "firmware",
            ScopeKind::Certificate => "cert_not_after",
            ScopeKind::Carrier => "carrier",
            ScopeKind::Host => "host",
            ScopeKind::Issuer => "bin",
        }
    }

    /// The knowledge-base signal a member's diagnosis gets from an incident
    /// of this kind.
    pub fn signal(self) -> &'static str {
        match self {
            ScopeKind::Site => "incident_site",
            ScopeKind::Merchant => "incident_merchant",
            ScopeKind::Model => "incident_model",
            ScopeKind::AppVersion => "incident_app_version",
            ScopeKind::Firmware => "incident_firmware",
            ScopeKind::Certificate => "incident_certificate",
            ScopeKind::Carrier => "incident_carrier",
            ScopeKind::Host => "incident_host",
            ScopeKind::Issuer => "incident_issuer",
        }
    }

    /// Distinct failing terminals a scope needs to fire: two terminals of
    /// one shop failing together is already unusual, two of a thousand on a
    /// host is not.
    fn min_failing(self) -> u32 {
        match self {
            // Two certificates of one batch refused just after the batch
            // expired is the batch, nothing else.
            ScopeKind::Site | ScopeKind::Merchant | ScopeKind::Certificate => 2,
            // Every terminal sees some of a bank's cards: two of them
            // failing it besides the shop failing most (three terminals in
            // three shops), past chance by the binomial test, is no chance.
            // Waiting for a fourth cost a bank's outage a minute or two.
            ScopeKind::Issuer => 2,
            _ => 4,
        }
    }

    /// [`ScopeKind::min_failing`] for a scope of `members` terminals: a
    /// carrier with four terminals in a city, each paying every few
    /// minutes, never has all four failing in one window however dead its
    /// network; three of four (still most of those heard, in three shops)
    /// are the carrier. Only scopes that small are eased.
    fn min_failing_of(self, members: usize) -> u32 {
        let members = u32::try_from(members).unwrap_or(u32::MAX);
        let most = (members.saturating_mul(3)).div_ceil(4);
        self.min_failing().min(most.max(SMALL_SCOPE_FAILING_MIN))
    }

    /// Versions and models are judged against the rest of the fleet only: a
    /// bad release makes its terminals fail more often than the rest, not
    /// most of the time.
    /// Whether an incident of this kind that covers one of `narrower`'s is
    /// that one's fault seen from further: a merchant's that covers its own
    /// shop's is the same account's; so is a version's or model's that
    /// covers another's of the same terminals (a release is a firmware and
    /// an app version at once). A host's that covers a shop's may follow a
    /// fault of the shop's own.
    fn same_fault_as(self, narrower: ScopeKind) -> bool {
        self == ScopeKind::Merchant || (self.relative() && narrower.relative())
    }

    /// Whether an incident of this kind can be the same fault as a
    /// narrower one ([`ScopeKind::same_fault_as`]), and so widen it.
    fn widens(self) -> bool {
        self == ScopeKind::Merchant || self.relative()
    }

    fn relative(self) -> bool {
        matches!(
            self,
            ScopeKind::Model | ScopeKind::AppVersion | ScopeKind::Firmware
        )
    }

    /// What a management system's report of a member offline is to this
    /// kind of scope (`fresh`: the member was updated within
    /// [`RELEASE_FRESH_S`]): a shop or carrier takes it as silence, which
    /// fires nothing by itself; a release as a link failure only just
    /// after an update (one that hangs the terminals it was installed on),
    /// else as silence; any other scope as a link failure. Which of a
    /// terminal's latest link failures each kind counts follows
    /// ([`Fleet::link_failure_counted`]).
    fn hears_offline_as(self, fresh: bool) -> Source {
        match self {
            ScopeKind::Site | ScopeKind::Carrier => Source::Silence,
            k if k.relative() && !fresh => Source::Silence,
            _ => Source::Other,
        }
    }

    /// The window most-members-failing is judged over: a bank's cards come
    /// by a few an hour per terminal, too sparse for five minutes; so do a
    /// quiet shop's payments, each one refused by an expired certificate.
    fn window_s(self) -> i64 {
        match self {
            ScopeKind::Issuer | ScopeKind::Certificate => RELATIVE_WINDOW_S,
            _ => WINDOW_S,
        }
    }

    /// Scopes whose failures are also judged against their own recent past:
    /// a host or a carrier carries so much of the fleet that the fleet's
    /// share moves with it.
    fn against_own_past(self) -> bool {
        matches!(
            self,
            ScopeKind::Host | ScopeKind::Carrier | ScopeKind::Issuer
        )
    }

    /// Distinct sites its failing terminals must span (terminals without a
    /// known site count as one site each).
    fn min_sites(self) -> u32 {
        match self {
            // A batch installed in one shop is still a batch.
            ScopeKind::Site | ScopeKind::Certificate => 1,
            ScopeKind::Merchant | ScopeKind::Issuer => 2,
            _ => 3,
        }
    }
}

/// The fewest failing terminals a scope of a few terminals needs
/// ([`ScopeKind::min_failing_of`]): three of four is most of them.
const SMALL_SCOPE_FAILING_MIN: u32 = 3;

/// Answers the other hosts must have given in a window for a host to be
/// judged against them.
const OTHER_HOSTS_ANSWERS_MIN: u32 = 200;

/// What a bad mains reading weighs in a shop, in failures.
const MAINS_WEIGHT: i16 = 2;

/// Outcomes a scope remembers.
const RING: usize = 128;
/// The window a scope is judged over, seconds.
const WINDOW_S: i64 = 300;
/// How long a scope must keep firing before an incident opens, seconds.
///
/// Short: a scope fires only once its failures are past chance, so what
/// this wait adds is the time to the incident. Half a minute cost 10–25 s
/// of the median on five generators and bought no precision; the broader
/// scope that may yet take a narrower one's terminals gets its own chance
/// through folding-in.
pub const PERSIST_S: i64 = 5;
/// How long an incident's members must be quiet before it closes, seconds.
pub const CLOSE_QUIET_S: i64 = 600;
/// An incident on refusals waits this long instead: the payments a
/// merchant's account rule refuses (large tickets, refunds) come by a few an
/// hour, so ten quiet minutes say nothing of the account being mended; nor
/// do they of a host that stopped accepting a version's messages, which
/// lasts until its terminals are upgraded. So does a batch of expired
/// certificates (until renewed) and a release's incident on its crashes (a
/// defect that crashes one payment in fifty lasts until the next release):
/// on our twelve outside sets, closed after ten quiet minutes, the same
/// fault came back within the hour as a second incident 21 times (8
/// certificate batches, 13 firmwares).
pub const ACCOUNT_CLOSE_QUIET_S: i64 = 1800;
/// How soon after closing a scope's failing again, in a way its incident
/// fired on, resumes the same incident rather than opening a new one,
/// seconds.
///
/// Faults come and go: on our twelve outside sets a scope firing again 15
/// to 30 minutes after its incident closed was the same fault 122 times in
/// 136, and a quarter-hour hold announced those as new incidents (flapping).
/// Longer holds join what are two faults: a carrier's terminals failing
/// with their host's outage, then in the carrier's own; past half an hour,
/// one time in five. A failure of another kind is never the same fault: a
/// host's outage over, then its keys changed, is two.
pub const REOPEN_HOLD_S: i64 = 1800;
/// The hold of an incident that waits [`ACCOUNT_CLOSE_QUIET_S`] to close:
/// a merchant's account rule, a version its host refuses, a batch of
/// expired certificates or a release's defect is not mended by being
/// quiet, and comes back when the next refused ticket or crashing payment
/// does. On our thirteen outside sets, with half an hour's hold such faults
/// came back as a second incident of the same scope 53 times in an hour to
/// two; two hours' hold made 76 fewer incidents (one per fault: 0.624 of
/// those reported, now 0.649) and lost 3 faults of 1287, whose incident
/// took in terminals of other faults as it went on. Three hours' added
/// nothing more.
pub const ACCOUNT_REOPEN_HOLD_S: i64 = 7200;
/// How often one scope is re-judged at most, seconds.
const EVAL_EVERY_S: i64 = 5;
/// Share of the members heard from that must be failing to open an
/// incident, and to keep an open one firing.
const FAILING_SHARE_MIN: f64 = 0.5;
const FAILING_SHARE_HOLD: f64 = 0.25;
/// The window of the fleet-relative test, seconds: a bad release or a
/// partial fault shows as scattered failures, too sparse for five minutes.
const RELATIVE_WINDOW_S: i64 = 900;
/// The fleet-relative test fires when this share of a scope's members
/// failed and that is this many times the whole fleet's share...
const RELATIVE_SHARE_MIN: f64 = 0.2;
const RELATIVE_FACTOR: f64 = 3.0;
/// ...and the chance of that many failing members, were they failing like
/// the rest of the fleet, is below this (hundreds of scopes are judged again
/// and again: a loose test would cry wolf every hour).
const RELATIVE_CHANCE_MAX: f64 = 1e-3;
/// The same for a release judged on each kind of failure apart: more
/// tests, each held to a stricter chance.
const RELATIVE_KIND_CHANCE_MAX: f64 = 1e-4;

/// The window a scope's own troubles, as its events' diagnoses read them,
/// are counted over, seconds: a cashier slips a few times an hour, and a
/// router failing now and then fails a payment every few minutes.
const SCOPE_SIGNS_WINDOW_S: i64 = 3600;
/// The least number of them a scope is expected to have anyway.
const SCOPE_SIGNS_EXPECTED_MIN: f64 = 0.05;
/// The chance of so many at the fleet's usual rate, below which they are no
/// ordinary day.
const SCOPE_SIGNS_CHANCE_MAX: f64 = 1e-5;
/// Slips in the window a shop needs to open an incident of its cashiers...
const OPERATOR_SLIPS_MIN: u32 = 3;
/// ...no one terminal with more than this share of them.
const OPERATOR_ONE_SHARE_MAX: f64 = 0.75;
/// One terminal's slips this close together (seconds) are one: the
/// payment refused and its error line, or the cashier pressing again.
const OPERATOR_SLIP_EPISODE_S: f64 = 30.0;
/// The causes of a terminal's own parts and resources that a shop's or a
/// merchant's terminals can have together, each counted apart (see
/// [`Fleet::observe_device`]): one batch of damp paper jams every printer
/// of a shop, the apps a shop installs on every till fill their memory, a
/// plugin a chain's head office pushes fills every terminal's storage or
/// keeps its CPU busy.
pub const SHARED_DEVICE_CAUSES: [Cause; 8] = [
    Cause::HardwarePrinter,
    Cause::HardwareCardReader,
    Cause::HardwareKeypad,
    Cause::HardwareDisplay,
    Cause::ResourceStorage,
    Cause::ResourceMemory,
    Cause::ResourceCpu,
    Cause::TransmissionCorruption,
];
/// The one of [`SHARED_DEVICE_CAUSES`] a release's bad messages look like
/// from one shop (replies that would not parse): a shop's incident of it on
/// a release whose host refuses its messages is that release's (folded in,
/// `Fleet::covered_by`; never reopened beside it, `Fleet::observe_device`).
const RELEASE_MESSAGES_SEEN_AS: Cause = Cause::TransmissionCorruption;
/// The knowledge-base signal a member of a shop's or merchant's incident
/// on each of [`SHARED_DEVICE_CAUSES`] gets, in its order.
pub(crate) const SHARED_DEVICE_SIGNALS: [&str; SHARED_DEVICE_CAUSES.len()] = [
    "incident_shared_printer",
    "incident_shared_card_reader",
    "incident_shared_keypad",
    "incident_shared_display",
    "incident_shared_storage",
    "incident_shared_memory",
    "incident_shared_cpu",
    "incident_shared_corruption",
];
/// The terminals of a merchant's, in two shops at least, that must each
/// have been read twice as one of [`SHARED_DEVICE_CAUSES`] within the hour
/// for it to be the merchant's: a chain of thirty terminals has two with
/// their printers jamming now and then on an ordinary day (on our outside
/// sets, with two: 7 such incidents more and no fault found more than with
/// three).
const MERCHANT_DEVICE_SIGNERS_MIN: usize = 3;
/// Events read as its own trouble (a shop's router or mains, a release
/// refused) a scope's terminals need, two of them at least, to open its
/// incident: each twice, so that one terminal's own trouble and a
/// neighbour's chance failure are no scope's.
const SIGNS_EACH_MIN: usize = 2;
/// A release's terminals that must have crashed within the hour, at
/// least, to open its incident on their diagnoses.
const RELEASE_BUG_TERMINALS_MIN: u32 = 4;
/// Members with a known host a release's incident needs before where they
/// pay says anything.
const RELEASE_HOST_MEMBERS_MIN: u32 = 3;
/// The mean belief in its software's fault (a defect, a version refused, its
/// messages damaged) that makes a member's failures its release's, for
/// where the release fails.
const SOFTWARE_MEMBER_SHARE: f64 = 0.5;
/// The release's terminals on other hosts, not failing, that make "one
/// host only" more than the release running on one host.
const RELEASE_ELSEWHERE_MIN: u32 = 3;
/// The share of the release's terminals on the one host that are failing:
/// a host refusing a version refuses every terminal running it.
const RELEASE_HOST_FAILING_SHARE: f64 = 0.5;
/// How small a share of the release's terminals on other hosts may be
/// members, against the one host's share, for it to fail on that host only.
const RELEASE_ELSEWHERE_SHARE_MAX: f64 = 0.25;
/// The share of its release's terminals a host must have failing, against
/// that of the host with the most failing, to count as one more host it
/// fails on alike.
const RELEASE_HOSTS_ALIKE_SHARE: f64 = 0.5;
/// The share of its members' belief a release's incident must give the
/// host's certificate for another release failing at that host's handshake
/// to be read as the same chain refused (`Fleet::host_certificate_refused`).
const HOST_CERTIFICATE_SHARE_MIN: f64 = 0.5;
/// ...and the share of that incident's members that must pay through the
/// host: a chain one host serves fails on that host's terminals alone.
const HOST_CERTIFICATE_MEMBERS_SHARE: f64 = 0.75;
/// Events of one terminal this close together are one episode: a payment
/// timing out, the error it shows (logged as late as a minute on), the
/// cashier's retry at once.
const SIGN_EPISODE_S: f64 = 120.0;

/// Terminals heard from outside a scope that make a rate to judge it
/// against.
const OUTSIDE_HEARD_MIN: u32 = 20;

/// The kinds a release is also judged on one by one against the fleet's
/// rate of each: an app crashing on some payments.
const RELEASE_KINDS: [Failure; 2] = [Failure::Device, Failure::Protocol];

/// Refusals (of the kind that fired the scope) in the window that open an
/// incident at once, without waiting [`PERSIST_S`] for another failure.
const REFUSALS_SETTLED: usize = 3;
/// A host, a carrier or an issuer fires, too, when its payments fail far
/// more often than its own past (an issuer: other banks' cards) explains, by
/// this binomial chance: a host that fails one payment in three never has
/// most of its terminals failing at once.
const BURST_CHANCE_MAX: f64 = 1e-4;
/// A host's burst whose failed card payments are this share one bank's, of
/// this many at least, is the bank's.
const ONE_BANK_SHARE: f64 = 0.6;
const ONE_BANK_MIN: u32 = 4;
/// The share of a host's or carrier's payments a burst must fail at least:
/// one in ten, when that is three times its usual and past chance.
const BURST_SHARE_MIN: f64 = 0.1;
/// Outcomes (decayed) before a scope's own failure rate is known.
const RATE_KNOWN_N: f64 = 100.0;
/// The card failure rate assumed before any is seen, and how many cards'
/// worth of weight that assumption has.
const CARDS_PRIOR_RATE: f64 = 0.005;
const CARDS_PRIOR_N: f64 = 100.0;
/// The shortest window a burst is judged over, seconds.
const BURST_WINDOW_S: i64 = 120;
/// The failure rate assumed at least, however clean the past: a host's
/// payments, an issuer's cards.
const BURST_BASE_MIN: f64 = 0.005;
const CARD_BASE_MIN: f64 = 0.002;
/// A bank fails when one of its cards in ten goes unanswered (and that is
/// far past chance): its cards are a small part of any shop's, so a partial
/// outage shows as one failure here and there.
const CARD_SHARE_MIN: f64 = 0.1;
/// A merchant fires on its account refusals when so many distinct refused
/// purchases among its payments lately have this binomial chance at most,
/// at its own rate of such refusals before, drawn towards (and never under)
/// a usual rate with the weight of so many payments. The test runs only
/// when a refusal comes: what it bounds is a background refusal pairing up
/// with another by chance.
const ACCOUNT_CHANCE_MAX: f64 = 1e-3;
const ACCOUNT_PRIOR_RATE: f64 = 0.002;
const ACCOUNT_PRIOR_N: f64 = 500.0;
/// A BIN the knowledge base does not know is taken for a known bank's card
/// when its incident would open (or opened) from this long before that
/// bank's incident opened to this long after, seconds: an intermittent
/// outage reaches its BINs minutes apart.
const SAME_ONSET_BEFORE_S: f64 = 300.0;
const SAME_ONSET_AFTER_S: f64 = 600.0;
/// A version's or model's incident opened more than this before a place's
/// (a host's, a carrier's) is not folded into it, seconds: a host's outage
/// seen first on the version most of its terminals run opens the two within
/// a minute or two.
const RELEASE_BEFORE_PLACE_S: f64 = 300.0;
/// The time constant of the failure rates, seconds.
const RATE_TAU_S: f64 = 3600.0;
/// A terminal is silent once nothing came from it for this many of its
/// heartbeat gaps (two beats missed and some), and this long at least,
/// seconds: a beat or two lost on a lossy link is no silence.
const SILENT_AFTER_GAPS: f64 = 2.5;
const SILENT_AFTER_MIN_S: i64 = 150;
/// Heartbeat gaps needed before a terminal's rhythm is known, and the
/// longest gap taken as its rhythm (longer is a pause, not a beat), seconds.
const BEAT_GAPS_KNOWN: u8 = 2;
const BEAT_GAP_MAX_S: f64 = 1200.0;
/// An incident's members gone dark at most this long after it closed
/// (seconds), heard from again at most [`DARK_BACK_S`] ago, after a spell
/// no longer than [`DARK_RESUMES_MAX_S`]: the fault lasted in the dark
/// ([`Fleet::dark_since_closed`]).
const DARK_AFTER_CLOSE_S: f64 = 300.0;
const DARK_BACK_S: f64 = 600.0;
const DARK_RESUMES_MAX_S: f64 = 4.0 * 3600.0;
/// How long a weak radio reading keeps a terminal's air suspect: an
/// unstable signal reads −110 dBm one minute and −86 the next, and it
/// fails on both.
const RADIO_WEAK_HOLD_S: f64 = 600.0;

/// What a terminal's lateness keeps of itself from one record to the next.
const LATE_DECAY: f32 = 0.9;
/// The most lateness one record counts for, seconds: a record stamped by a
/// clock a year behind must not put off the terminal's silence for ever.
const LATE_MAX_S: f64 = 1800.0;
/// How long a silence keeps counting as a failure, seconds: a terminal
/// quiet for longer is switched off or gone, not news.
const SILENCE_TOLD_S: i64 = 900;

/// How long a terminal reported offline must stay so, report after
/// report, to count as failing rather than silent, seconds.
const OFFLINE_PERSISTS_S: i64 = 45;
/// Shop terminals first reported offline within this many seconds of each
/// other went dark at once.
const OFFLINE_AT_ONCE_S: i64 = 30;
/// A shop terminal reported offline between these many seconds before the
/// others, and not heard since, makes their reports a shop closing counter
/// by counter: a cut power or router reaches the management system from its
/// terminals within a minute or two of each other.
const OFFLINE_STAGGER_MIN_S: i64 = 180;
const OFFLINE_STAGGERED_S: i64 = 900;

/// The least share of a fleet's terminals taken to have their messages
/// refused over [`RELATIVE_WINDOW_S`] by chance, whatever the fleet outside
/// a release shows: one in two hundred (a line damaging a message, a
/// cashier's retry sent twice, a terminal set up wrong).
const PROTOCOL_REFUSED_SHARE_MIN: f64 = 0.005;
/// How unlikely by chance a release's terminals refused for their messages
/// must be for that to be the release's incident.
const PROTOCOL_REFUSED_CHANCE_MAX: f64 = 5e-3;

/// How long after a terminal's update a report of it offline counts
/// against its release, seconds. Later, a management system losing a
/// release's terminals one by one is their shops closing, their batteries
/// and their links, which a fleet of one model has all day (gen8's
/// handhelds: a model's incident on offline reports alone, 14 of 16
/// members in no fault).
const RELEASE_FRESH_S: i64 = 3600;

const NONE: u32 = u32::MAX;

/// A failure rate with exponential forgetting: (payments, failures).
#[derive(Debug, Clone, Copy, Default)]
struct Rate {
    n: f64,
    k: f64,
    at: Option<Ts>,
}

impl Rate {
    fn add(&mut self, ts: Ts, failed: bool) {
        if let Some(at) = self.at {
            let decay = (-ts.secs_since(at).max(0.0) / RATE_TAU_S).exp();
            self.n *= decay;
            self.k *= decay;
        }
        keep_latest(&mut self.at, ts);
        self.n += 1.0;
        self.k += f64::from(u8::from(failed));
    }

    /// Its outcomes and failures as they weigh at `ts` (not before its
    /// latest outcome).
    fn as_of(&self, ts: Ts) -> (f64, f64) {
        let decay = self
            .at
            .map_or(1.0, |at| (-ts.secs_since(at).max(0.0) / RATE_TAU_S).exp());
        (self.n * decay, self.k * decay)
    }

    /// Adds `n` outcomes at `ts`, `k` of them failures.
    fn add_many(&mut self, ts: Ts, n: f64, k: f64) {
        if n == 0.0 {
            return;
        }
        self.add(ts, false);
        self.n += n - 1.0;
        self.k += k;
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Outcome {
    ts: Ts,
    terminal: u32,
    /// 0 for a success, else a [`Failure`] bit.
    failure: u8,
    source: Source,
    /// For an account refusal, which purchase it refused: a cashier
    /// retrying one customer's card is one refusal, not two.
    purchase: Purchase,
}

impl Outcome {
    /// Whether it is the terminal's link failing, not a sign of its mains.
    fn lost_link(&self) -> bool {
        self.failure == Failure::Link as u8 && !matches!(self.source, Source::Mains | Source::Sag)
    }
}

/// A terminal's air as its shop sees it.
#[derive(Debug, Clone, Copy)]
struct Air {
    /// Its radio read weak lately ([`RADIO_WEAK_HOLD_S`]).
    weak: bool,
    /// Its carrier's scope (`NONE` if not cellular, or unknown).
    carrier: u32,
    /// It reaches its host through the shop's router (wired or Wi-Fi), and
    /// when its link last carried a heartbeat whole or a payment's answer:
    /// the shop's router and mains were up then.
    on_router: bool,
    link_ok_at: Option<Ts>,
}

impl Air {
    /// Whether a terminal with this air, losing its link beside `others`
    /// losing theirs, loses it to its own air: its radio reads weak, and
    /// none of theirs does nor is on its carrier.
    fn alone(self, mut others: impl Iterator<Item = Air>) -> bool {
        self.weak && !others.any(|b| b.weak || (self.carrier != NONE && b.carrier == self.carrier))
    }

    /// Terminal `t`'s air at `ts`, from the fleet's latest weak readings
    /// and scopes (passed apart so that a scope may be borrowed meanwhile).
    fn of(marks: &[TerminalMarks], member_of: &[[u32; ScopeKind::COUNT]], t: u32, ts: Ts) -> Air {
        Air {
            weak: marks[t as usize]
                .radio_weak_at
                .is_some_and(|w| (0.0..=RADIO_WEAK_HOLD_S).contains(&ts.secs_since(w))),
            carrier: member_of[t as usize][ScopeKind::Carrier as usize],
            on_router: marks[t as usize].on_router,
            link_ok_at: marks[t as usize].link_ok_at,
        }
    }
}

/// A refused payment, as a merchant's refusals are told apart.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Purchase {
    /// [`purchase_key`]; 0 for no purchase.
    pub key: u32,
    /// Its refusal code is one a terminal's own set-up gives too (03
    /// invalid merchant, 58 not permitted on this terminal): on one
    /// terminal alone, that terminal's business rather than its merchant's.
    pub setup_explains: bool,
    /// What its code says the account was refused for (a frozen account,
    /// a type of payment, a limit, a risk hold; 0 for none): a merchant's
    /// account refused for one reason says it again and again, its
    /// customers' cards each their own.
    pub reason: u8,
}

/// Where an outcome came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Source {
    /// A log line, an error record.
    #[default]
    Other,
    /// A heartbeat in trouble (its packets lost): the terminal's link to
    /// its management system, which no acquirer host is on the way of.
    Heartbeat,
    /// A heartbeat whose supply voltage is off: two of a shop's terminals
    /// reading bad mains at once is the shop's power, so in a shop it
    /// weighs as two failures.
    Mains,
    /// A heartbeat counting a power event on a terminal with no battery
    /// that stayed up through it (online, not rebooted, its supply and
    /// link fine): a sag it rode out. A sign of the mains like
    /// [`Source::Mains`] to its shop, but no failure of its version's,
    /// carrier's or merchant's, and a shop whose failures are only such
    /// signs opens nothing: a thunderstorm's sags across a town (gen15's:
    /// its incidents' precision 0.76 to 0.85, 17 fewer; the twelve other
    /// sets unchanged).
    Sag,
    /// A payment, with its card's issuer ([`CardIssuer::key`], 0 if not a
    /// card).
    Payment(u32),
    /// No word from the terminal for well past its heartbeat's rhythm
    /// (`Fleet::heard`): a shop gone dark sends nothing at all. Only a
    /// shop and a carrier take it in, and only beside another member's own
    /// failure: terminals switched off at closing time are silent too.
    Silence,
    /// A management system's report that the terminal is offline: silence
    /// to its shop and carrier, a link failure to its other scopes. Never
    /// stored: [`Fleet::observe_offline`] files it as one or the other.
    Offline,
    /// Such a report made out loud (repeated a minute on, or the shop's
    /// terminals reported at once): a link failure like an error's, save
    /// that a shop whose router carried a neighbour's heartbeat since
    /// knows its mains and router were up ([`Scope::judge_on`]).
    OfflineLoud,
}

/// How a failure was heard of, for the scopes that judge it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Heard {
    /// Out loud: a payment, an error.
    Loud,
    /// Off any host's way: a heartbeat, the mains (see [`off_host`]).
    OffHost,
    /// By silence: its shop and carrier only.
    Silence,
    /// A sag the terminal rode out ([`Source::Sag`]): its shop only.
    Sag,
}

/// Whether a failure from `source` is off any acquirer host's way: a
/// heartbeat goes to the management system, the mains are the shop's, and
/// a management system's report of a terminal offline is its link's.
fn off_host(source: Source) -> bool {
    matches!(
        source,
        Source::Heartbeat | Source::Mains | Source::Sag | Source::Offline
    )
}

impl Source {
    fn payment(self) -> bool {
        matches!(self, Source::Payment(_))
    }
}

#[derive(Debug)]
struct Scope {
    kind: ScopeKind,
    key: Box<str>,
    ring: [Outcome; RING],
    next: u8,
    len: u8,
    /// When the current run of firing began.
    firing_since: Option<Ts>,
    /// When it last fired.
    last_fired: Option<Ts>,
    /// Distinct failing members at the last judgement.
    failing: u32,
    /// The failure kinds (bits of [`Failure`]) it last fired on.
    fired_on: u8,
    /// The failure kinds its fleet-relative test last counted: all it
    /// shares, or the one kind a release fired on.
    counted_on: u8,
    /// Whether it last fired on refusals too few to be sure of: those wait
    /// for another failure, not only for time to pass.
    refusals_unsettled: bool,
    judged_at: Option<Ts>,
    incident: Option<u32>,
    /// The scope's latest incident that closed (not folded into another),
    /// and when.
    last_closed: Option<(u32, Ts)>,
    /// Its incident on refusals that a second fault of another kind set
    /// apart (see [`Fleet::judge_terminal`]): the refusals still go to it.
    apart: Option<u32>,
    /// Member terminals, judged one by one over a longer window than the
    /// ring holds.
    members: Vec<u32>,
    /// How often its payments failed (in a kind it shares) lately: kept
    /// for the scopes judged against their own past (hosts, carriers), for
    /// issuers, and for merchants (their account refusals).
    rate: Rate,
    /// A shop's payments lately (decaying over an hour): how busy its
    /// cashiers are.
    payments: Rate,
}

impl Scope {
    fn new(kind: ScopeKind, key: &str) -> Scope {
        Scope {
            kind,
            key: key.into(),
            ring: [Outcome::default(); RING],
            next: 0,
            len: 0,
            firing_since: None,
            last_fired: None,
            failing: 0,
            fired_on: 0,
            counted_on: kind.shares(),
            refusals_unsettled: false,
            judged_at: None,
            incident: None,
            last_closed: None,
            apart: None,
            members: Vec::new(),
            rate: Rate::default(),
            payments: Rate::default(),
        }
    }

    /// Whether an outcome counts in the scope's own failure rate.
    fn rate_counts(&self, o: &Outcome) -> bool {
        (self.kind.against_own_past() || self.kind == ScopeKind::Merchant)
            && (o.failure == 0 || o.failure & self.kind.shares() != 0)
            && (o.source.payment() || !matches!(self.kind, ScopeKind::Host | ScopeKind::Merchant))
    }

    fn push(&mut self, o: Outcome) {
        if self.rate_counts(&o) {
            self.rate.add(o.ts, o.failure != 0);
        }
        if self.kind == ScopeKind::Site && o.source.payment() {
            self.payments.add(o.ts, false);
        }
        self.ring[self.next as usize] = o;
        self.next = ((self.next as usize + 1) % RING) as u8;
        self.len = (self.len + 1).min(RING as u8);
    }

    /// Takes in a judgement made at `ts`.
    fn judged(&mut self, v: Verdict, ts: Ts) {
        self.judged_at = Some(ts);
        self.failing = v.failing();
        self.fired_on = match v {
            Verdict::Refused { class, .. } | Verdict::FailingOf { class, .. } => class as u8,
            _ => self.kind.outage_shares(),
        };
        self.counted_on = match v {
            Verdict::FailingOf { class, .. } => class as u8,
            _ => self.kind.shares(),
        };
        self.refusals_unsettled = matches!(v, Verdict::Refused { settled: false, .. });
        let fired_lately = self
            .last_fired
            .is_some_and(|f| ts.secs_since(f) <= RELATIVE_WINDOW_S as f64);
        match v {
            Verdict::Quiet => self.firing_since = None,
            _ if self.firing_since.is_some() => {}
            // Refusals are answers, not a link's blip, and a burst is past
            // chance already: enough of them need no waiting out. Nor does
            // a scope that fired a few minutes ago too: a flickering fault.
            Verdict::Refused { settled: true, .. } | Verdict::Burst(_) => {
                self.firing_since = Some(ts.plus_secs(-PERSIST_S))
            }
            _ if fired_lately => self.firing_since = Some(ts.plus_secs(-PERSIST_S)),
            _ => self.firing_since = Some(ts),
        }
        if v != Verdict::Quiet {
            self.last_fired = Some(ts);
        }
    }

    /// Its incident closed; `resumable` is that incident and when, if the
    /// scope failing again soon should resume it.
    fn incident_closed(&mut self, resumable: Option<(u32, Ts)>) {
        self.incident = None;
        self.firing_since = None;
        self.failing = 0;
        if resumable.is_some() {
            self.last_closed = resumable;
        }
    }

    /// Whether most of `terminal`'s failures here in `[from, to]` are of
    /// the kinds `bits`: a terminal refused for its merchant's account a
    /// dozen times whose heartbeat once reported it offline fails for the
    /// account.
    fn mostly_of(&self, terminal: u32, bits: u8, from: Ts, to: Ts) -> bool {
        let (mut of, mut other) = (0u32, 0u32);
        for o in &self.ring[..self.len as usize] {
            if o.terminal == terminal && o.failure != 0 && o.ts >= from && o.ts <= to {
                if o.failure & bits != 0 {
                    of += 1;
                } else {
                    other += 1;
                }
            }
        }
        of > other
    }

    /// Members with a failure this scope shares in `[from, to]`.
    fn failing_members(&self, from: Ts, to: Ts) -> Vec<u32> {
        let shares = self.kind.shares();
        let mut v: Vec<u32> = self.ring[..self.len as usize]
            .iter()
            .filter(|o| o.failure & shares != 0 && o.ts >= from && o.ts <= to)
            .map(|o| o.terminal)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Distinct (failing, ok) members in `[from, to]` and the failing ones;
    /// a member is failing if its latest outcome there is a failure, or its
    /// failures there are at least its successes.
    /// `air` tells a terminal's radio and carrier.
    fn judge(&self, from: Ts, to: Ts, air: &dyn Fn(u32) -> Air) -> (u32, u32, Vec<u32>) {
        self.judge_on(from, to, self.kind.outage_shares(), air)
    }

    /// [`Scope::judge`] on the failure kinds `shares` only.
    fn judge_on(
        &self,
        from: Ts,
        to: Ts,
        shares: u8,
        air: &dyn Fn(u32) -> Air,
    ) -> (u32, u32, Vec<u32>) {
        // (terminal, weight, whether silence, whether a sag).
        let mut seen = [(NONE, 0i16, false, false); RING];
        let mut n = 0;
        let own_air = |t: u32| air(t).weak;
        // A terminal on a weak radio losing its link, no other terminal here
        // losing theirs on a weak radio or its carrier, loses it to its own
        // air: the shop's router and mains are not on a cellular terminal's
        // way, and its mains' signs are counted apart. (Two are the shop's
        // air: a basement no carrier's signal reaches, or its one.)
        // (Judged on every failure in a shop: nothing is gathered unless a
        // terminal losing its link reads weak at all.)
        let lost_links = || {
            self.ring[..self.len as usize]
                .iter()
                .filter(move |o| o.ts >= from && o.ts <= to && o.lost_link())
        };
        let mut alone_in_air: Vec<u32> = Vec::new();
        // A terminal reported offline, or silent, while a neighbour on the
        // shop's router was heard whole since it went dark: the router and
        // the mains were up, so it went dark on its own (switched off, its
        // own cable, its own battery). A shop's power or router cut takes
        // every terminal on the router with it. (Judged only when a member
        // went dark at all.)
        let dark = |o: &Outcome| matches!(o.source, Source::OfflineLoud | Source::Silence);
        if self.kind == ScopeKind::Site
            && self.ring[..self.len as usize]
                .iter()
                .any(|o| o.ts >= from && o.ts <= to && o.failure != 0 && dark(o))
        {
            // Each failing terminal once: when it first failed here, and
            // whether it failed other than by going dark.
            let mut failing: Vec<(u32, Ts, bool)> = Vec::new();
            for o in self.ring[..self.len as usize]
                .iter()
                .filter(|o| o.ts >= from && o.ts <= to && o.failure != 0)
            {
                match failing.iter_mut().find(|f| f.0 == o.terminal) {
                    Some(f) => {
                        f.1 = f.1.min(o.ts);
                        f.2 |= !dark(o);
                    }
                    None => failing.push((o.terminal, o.ts, !dark(o))),
                }
            }
            // A neighbour failing itself lately proves nothing: a flaky
            // router drops each of its terminals in turn.
            let lit_since = |t: u32, since: Ts| {
                self.members.iter().any(|&u| {
                    let a = air(u);
                    u != t
                        && a.on_router
                        && a.link_ok_at.is_some_and(|ok| ok > since && ok <= to)
                        && !failing.iter().any(|f| f.0 == u)
                })
            };
            for &(t, went_dark, failed_otherwise) in &failing {
                if !failed_otherwise && lit_since(t, went_dark) {
                    alone_in_air.push(t);
                }
            }
        }
        if self.kind == ScopeKind::Site && lost_links().any(|o| own_air(o.terminal)) {
            let lost: Vec<(u32, Air)> = lost_links()
                .map(|o| (o.terminal, air(o.terminal)))
                .collect();
            for &(t, a) in &lost {
                if !alone_in_air.contains(&t)
                    && a.alone(lost.iter().filter(|&&(u, _)| u != t).map(|&(_, b)| b))
                {
                    alone_in_air.push(t);
                }
            }
        }
        // Oldest first, so that after a stable sort by terminal each
        // terminal's outcomes are in the order they happened.
        let start = if (self.len as usize) < RING {
            0
        } else {
            self.next as usize
        };
        for j in 0..self.len as usize {
            let o = &self.ring[(start + j) % RING];
            if o.ts < from || o.ts > to {
                continue;
            }
            if o.failure != 0 && o.failure & shares == 0 {
                // A failure of a kind this scope cannot share: neither
                // for nor against it.
                continue;
            }
            if o.lost_link() && alone_in_air.contains(&o.terminal) {
                continue;
            }
            let weight = match (o.failure, o.source) {
                (0, _) => -1,
                (_, Source::Mains | Source::Sag) => MAINS_WEIGHT,
                _ => 1,
            };
            seen[n] = (
                o.terminal,
                weight,
                o.source == Source::Silence,
                o.source == Source::Sag,
            );
            n += 1;
        }
        // A sag one terminal rode out beside failures only of terminals on
        // a weak radio is no sign of the shop's: a storm dips every supply
        // in town now and then, and a handheld in a dead corner fails on
        // its own air. (Beside a Wi-Fi till failing it may be the mains
        // taking the router down.)
        let sagged_alone = {
            let mut powered = seen.iter().filter(|x| x.1 == MAINS_WEIGHT);
            powered.next().is_some_and(|first| {
                let sagger = first.0;
                powered.all(|x| x.0 == sagger)
                    && seen
                        .iter()
                        .all(|x| x.0 != sagger || x.1 != MAINS_WEIGHT || x.3)
                    && seen
                        .iter()
                        .all(|x| x.0 == sagger || x.1 <= 0 || own_air(x.0))
            })
        };
        let seen = &mut seen[..n];
        seen.sort_by_key(|x| x.0);
        // Per terminal: whether it is failing (its latest outcome, or most
        // of them), how many failures it had, and whether they were all
        // silence.
        let mut verdicts: Vec<(u32, bool, i16, bool)> = Vec::with_capacity(seen.len());
        let mut i = 0;
        while i < seen.len() {
            let t = seen[i].0;
            let (mut score, mut fails, mut latest_failed) = (0i16, 0i16, false);
            let (mut bad_mains, mut only_silence) = (false, true);
            while i < seen.len() && seen[i].0 == t {
                if sagged_alone && seen[i].3 {
                    i += 1;
                    continue;
                }
                score += seen[i].1;
                fails += seen[i].1.max(0);
                latest_failed = seen[i].1 > 0;
                bad_mains |= seen[i].1 == MAINS_WEIGHT;
                only_silence &= seen[i].2 || seen[i].1 < 0;
                i += 1;
            }
            // Bad mains is the shop's trouble even while payments still go
            // through: a sagging supply comes before the failures.
            let failing = score >= 0 || latest_failed || bad_mains;
            verdicts.push((t, failing && fails >= 1, fails, only_silence));
        }
        // Silence says something only beside a member failing out loud: a
        // shop whose terminals all went quiet may just have closed. Once
        // its incident is open, its members staying dark is the fault
        // lasting (nobody can pay on a dead terminal to say so).
        if self.incident.is_none() && !verdicts.iter().any(|v| v.1 && !v.3) {
            verdicts.retain(|v| !(v.1 && v.3));
        }
        // In a shop one failure each on two terminals is a coincidence as
        // often as not — a shared fault makes every retry fail too — but
        // not on three.
        let min_fails: i16 = match self.kind {
            ScopeKind::Site | ScopeKind::Merchant
                if verdicts.iter().filter(|v| v.1).count() < 3 =>
            {
                2
            }
            _ => 1,
        };
        let (mut failing, mut ok) = (0, 0);
        let mut members = Vec::with_capacity(verdicts.len());
        for (t, is_failing, fails, _) in verdicts {
            if is_failing && fails >= min_fails {
                failing += 1;
                members.push(t);
            } else {
                ok += 1;
            }
        }
        (failing, ok, members)
    }
}

/// Where a release's failing terminals pay: a version one acquirer host
/// stopped accepting fails on that host only, and on all the release's
/// terminals there; a defect fails wherever the release runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostSpread {
    /// Its members mostly on this host: at least half the release's
    /// terminals there among them, and at most a quarter of that share of
    /// its terminals elsewhere.
    OneHost { host: String },
    /// Members on this many hosts, each with several of them and alike
    /// shares of the release's terminals there.
    Hosts(u32),
}

/// An incident's members' votes: per member, the sum of its diagnosed
/// posteriors and how many. The members are kept apart from their tallies
/// (over two hundred bytes each) so that finding one among an outage's
/// hundreds reads a few cache lines, not one per member: a big incident
/// takes a vote at every failure diagnosed.
#[derive(Debug, Clone, Default, PartialEq)]
struct Ballots {
    voters: Vec<u32>,
    tallies: Vec<(CauseVec, u32)>,
}

impl Ballots {
    /// `terminal`'s tally, if it has voted.
    fn of(&self, terminal: u32) -> Option<&(CauseVec, u32)> {
        let i = self.voters.iter().position(|&t| t == terminal)?;
        Some(&self.tallies[i])
    }

    /// Each voter with its tally.
    fn iter(&self) -> impl Iterator<Item = (u32, &(CauseVec, u32))> {
        self.voters.iter().copied().zip(&self.tallies)
    }

    /// `terminal`'s tally, empty if it has not voted yet.
    fn of_mut(&mut self, terminal: u32) -> (&mut CauseVec, &mut u32) {
        let i = match self.voters.iter().position(|&t| t == terminal) {
            Some(i) => i,
            None => {
                self.voters.push(terminal);
                self.tallies.push(([0.0; Cause::COUNT], 0));
                self.voters.len() - 1
            }
        };
        let (sum, count) = &mut self.tallies[i];
        (sum, count)
    }
}

/// A fault shared by several terminals.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// `INC-0001`, in order of opening.
    pub id: String,
    /// Its place among the fleet's incidents (`id` is `INC-` and one more).
    pub index: u32,
    pub kind: ScopeKind,
    /// The shared value: a site id, a host, `cmcc@guangzhou`, a firmware.
    pub key: String,
    pub opened_at: Ts,
    pub closed_at: Option<Ts>,
    /// Member terminals (engine indices), in order of joining.
    pub terminals: Vec<u32>,
    /// The latest failure of a member.
    pub last_failure: Ts,
    /// Sum over its members of each one's mean diagnosed posterior: the
    /// incident's cause. Each terminal counts once, however many of its
    /// failures were diagnosed: a chatty Wi-Fi terminal's twenty "the
    /// router" must not outvote the three terminals that lost power.
    pub votes: CauseVec,
    /// Per member: the sum of its diagnosed posteriors and how many.
    ballots: Ballots,
    /// The broader incident this one was folded into, if any.
    pub merged_into: Option<u32>,
    scope: u32,
    /// The failure kinds (bits of [`Failure`]) its scope fired on when it
    /// opened: a broader scope takes it in only if it shares one.
    fired_on: u8,
    /// Every member so far is on a carrier's radio: a shop's router carries
    /// none of them.
    all_on_radio: bool,
    /// A BIN's cards refused by their bank for one reason (see
    /// [`Fleet::observe_card_answer`]), not gone unanswered.
    pub on_declines: bool,
    /// The one of [`SHARED_DEVICE_CAUSES`] a shop's or merchant's
    /// terminals had together, if that is what it opened on.
    pub device: Option<Cause>,
}

impl Incident {
    /// Whether `terminal` is a member whose diagnoses so far read, on the
    /// whole, as its software's (a defect, a version refused, or messages
    /// the host could not parse, which either may send): a member
    /// that joined failing for its own reasons, or for a bank's, says
    /// nothing of where the release fails.
    fn reads_as_software(&self, terminal: u32) -> bool {
        self.ballots.of(terminal).is_some_and(|(sum, n)| {
            *n > 0
                && [
                    Cause::SoftwareBug,
                    Cause::SoftwareIncompatible,
                    Cause::TransmissionCorruption,
                ]
                .iter()
                .map(|c| sum[c.index()])
                .sum::<f64>()
                    >= SOFTWARE_MEMBER_SHARE * f64::from(*n)
        })
    }

    /// Adds `n` diagnoses of `terminal` summing to `posterior` to its
    /// ballot and to the votes.
    fn ballot(&mut self, terminal: u32, posterior: &CauseVec, n: u32) {
        // The member's mean belief replaces its old one in the tally: one
        // member's vote at a time, not a recount of every member's.
        let (sum, count) = self.ballots.of_mut(terminal);
        let before = f64::from((*count).max(1));
        *count += n;
        let after = f64::from((*count).max(1));
        for ((v, x), p) in self.votes.iter_mut().zip(sum.iter_mut()).zip(posterior) {
            *v -= *x / before;
            *x += p;
            *v += *x / after;
        }
    }

    /// Whether it fired on refusals alone (a host's keys, a merchant's
    /// account), or on one cause its members' devices share (a shop's
    /// printers): a second fault of another kind is news to its scope.
    fn other_kinds_are_news(&self) -> bool {
        self.fired_on & !REFUSAL_KINDS == 0 || self.device.is_some()
    }

    /// Whether it fired on failures of `kind` (or took them in since).
    pub fn fired_on(&self, kind: Failure) -> bool {
        self.fired_on & kind as u8 != 0
    }

    /// The knowledge-base signal a member's diagnosis gets from it: its
    /// kind's, but a host's that fired on MACs refused is its keys'.
    pub fn signal(&self) -> &'static str {
        if let Some(k) = self
            .device
            .and_then(|c| SHARED_DEVICE_CAUSES.iter().position(|&d| d == c))
        {
            return SHARED_DEVICE_SIGNALS[k];
        }
        match (self.kind, self.fired_on == Failure::Keys as u8) {
            (ScopeKind::Host, true) => "incident_host_keys",
            (ScopeKind::Merchant, true) => "incident_merchant_keys",
            (ScopeKind::Merchant, _) if self.fired_on == Failure::Link as u8 => {
                "incident_merchant_links"
            }
            (ScopeKind::Site, _) if self.fired_on == Failure::Operator as u8 => {
                "incident_site_operator"
            }
            (ScopeKind::Site, _) if self.all_on_radio && !self.terminals.is_empty() => {
                "incident_site_cellular"
            }
            (ScopeKind::Issuer, _) if self.on_declines => "incident_card_declines",
            _ => self.kind.signal(),
        }
    }

    /// The signal a member's diagnosis gets from it, for a member on a
    /// carrier's radio (`on_radio`) or not: a shop's router carries none of
    /// a radio member's payments, and the shop's other failing terminals
    /// are not on its carrier.
    pub fn member_signal(&self, on_radio: bool) -> &'static str {
        let signal = self.signal();
        if on_radio && signal == ScopeKind::Site.signal() {
            "incident_site_radio_member"
        } else {
            signal
        }
    }

    /// How soon after closing its scope's failing again resumes it,
    /// seconds: see [`ACCOUNT_REOPEN_HOLD_S`].
    fn reopen_hold_s(&self) -> i64 {
        if self.close_quiet_s() == ACCOUNT_CLOSE_QUIET_S {
            ACCOUNT_REOPEN_HOLD_S
        } else {
            REOPEN_HOLD_S
        }
    }

    /// How long its members must be quiet before it closes, seconds: see
    /// [`ACCOUNT_CLOSE_QUIET_S`].
    /// A member failed at `ts`. Records come a little out of order (and
    /// an incident may open on a failure judged later): the latest failure
    /// is never put back, or an incident could close before it opened.
    fn failed_at(&mut self, ts: Ts) {
        self.last_failure = self.last_failure.max(ts);
    }

    fn close_quiet_s(&self) -> i64 {
        if [
            Failure::Account,
            Failure::Protocol,
            Failure::Keys,
            Failure::Expired,
        ]
        .iter()
        .any(|&f| self.fired_on == f as u8)
            || (self.kind.relative() && self.fired_on == Failure::Device as u8)
        {
            ACCOUNT_CLOSE_QUIET_S
        } else {
            CLOSE_QUIET_S
        }
    }

    /// The most likely cause and its share of the members' belief, if any
    /// member has been diagnosed yet.
    pub fn cause(&self) -> Option<(Cause, f64)> {
        let total: f64 = self.votes.iter().sum();
        if total <= 0.0 {
            return None;
        }
        // Several of a shop's boards failing together are its mains: a
        // surge or a brownout damages what it reaches, and boards do not
        // fail in step on their own. (The members' own diagnoses may still
        // read as their boards: the damage is theirs.)
        let mut votes = self.votes;
        if self.kind == ScopeKind::Site {
            let (board, power) = (Cause::HardwareBoard.index(), Cause::PowerSupply.index());
            votes[power] += votes[board];
            votes[board] = 0.0;
        }
        let (cause, v) = posdoc_kb::top_cause(&votes);
        Some((cause, v / total))
    }
}

/// What kind of failure a terminal had, as the fleet view sorts them: a
/// scope counts only the kinds it can share (a shop's router does not make
/// the host refuse a firmware's messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// No answer, no connection, dark, power lost.
    Link = 1,
    /// The host refused the terminal's messages (format, MAC, TLS).
    Protocol = 2,
    /// The host refused the merchant's account.
    Account = 4,
    /// The terminal's own parts or app (card reader, PIN pad, printer, app).
    Device = 8,
    /// A handshake refused because the terminal's own certificate has
    /// expired: nothing its version, host or shop share, only its
    /// certificate's batch.
    Expired = 16,
    /// A message refused for its MAC: the terminal's working keys out of
    /// step with the host's. A version may compute MACs wrong like any
    /// message, but several shops' terminals refused for their keys at
    /// once on one host are that host's key change, not each terminal's.
    Keys = 32,
    /// The cashier's procedure (a wrong type chosen, a card inserted
    /// wrong, a void of a payment that does not exist), as the diagnosis
    /// found it: a shop's new cashier makes the same slips on every one of
    /// its terminals.
    Operator = 64,
}

impl Failure {
    /// What an error raised at `stage` is a failure of: the host refusing
    /// the messages (TLS, MAC), the terminal's own parts (card reader, PIN
    /// pad, printer, app), else the link (connecting, sending, receiving,
    /// booting, or unsaid).
    pub fn of_stage(stage: Option<&str>) -> Failure {
        match stage {
            Some("tls" | "mac") => Failure::Protocol,
            Some("card_read" | "pin" | "print" | "app") => Failure::Device,
            _ => Failure::Link,
        }
    }

    /// How many kinds there are, for per-kind arrays.
    const COUNT: usize = 7;

    /// Its position among the kinds, for per-kind arrays.
    fn slot(self) -> usize {
        (self as u8).trailing_zeros() as usize
    }
}

impl ScopeKind {
    /// The failure kinds (bits of [`Failure`]) this scope can share.
    fn shares(self) -> u8 {
        match self {
            ScopeKind::Site => Failure::Link as u8 | Failure::Account as u8,
            // A merchant's shops share its account, not their links: a
            // chain's shops losing their links together are as many
            // shops' faults, or their host's.
            ScopeKind::Merchant => Failure::Account as u8 | Failure::Keys as u8,
            ScopeKind::Carrier | ScopeKind::Issuer => Failure::Link as u8,
            ScopeKind::Host => Failure::Link as u8 | Failure::Protocol as u8 | Failure::Keys as u8,
            ScopeKind::Model | ScopeKind::AppVersion | ScopeKind::Firmware => {
                Failure::Link as u8
                    | Failure::Protocol as u8
                    | Failure::Device as u8
                    | Failure::Keys as u8
            }
            ScopeKind::Certificate => Failure::Expired as u8,
        }
    }

    /// The failure kinds of an incident of this scope that would take
    /// `failure` as the same fault's. A release's bad messages come back
    /// as a reply that would not parse on one vendor's terminals and as
    /// the host's refusal on another's: one defect, and an incident that
    /// fired on the first takes the second. Not the other way: a release
    /// refused for its messages does not explain its terminals' links
    /// failing (a host down, a carrier's outage).
    fn kin(self, failure: Failure) -> u8 {
        if self.relative() && failure == Failure::Protocol {
            Failure::Link as u8 | Failure::Protocol as u8
        } else {
            failure as u8
        }
    }

    /// The failure kinds its failing-most-of-the-time and fleet-relative
    /// tests count (a host's fleet-relative test reads each member's latest
    /// failure on the host, whatever its kind: it still counts keys; see
    /// `Fleet::judge_members`). A host's outage leaves payments unanswered or answers
    /// them with a malfunction; it does not refuse their MACs: keys
    /// refused on a host are its key change, judged on their own (three
    /// terminals at two merchants), and counted with an outage they would
    /// make a host of three faults at once — its keys, a version it stopped
    /// accepting, a shop's router — and fold the shop into it.
    fn outage_shares(self) -> u8 {
        match self {
            ScopeKind::Host => self.shares() & !(Failure::Keys as u8),
            _ => self.shares(),
        }
    }
}

/// The kinds of failure that are answers refusing something (messages, an
/// account, a certificate, keys), not a link or a device failing.
const REFUSAL_KINDS: u8 =
    Failure::Protocol as u8 | Failure::Account as u8 | Failure::Expired as u8 | Failure::Keys as u8;

/// The terminals heard from over [`RELATIVE_WINDOW_S`], and those that
/// failed there: at all, and in each kind of [`Failure`] (by its slot).
#[derive(Clone, Copy, Debug, Default)]
struct FleetShares {
    heard: u32,
    any: u32,
    of: [u32; Failure::COUNT],
}

impl FleetShares {
    /// The share that failed at all.
    fn any_share(&self) -> f64 {
        f64::from(self.any) / f64::from(self.heard.max(1))
    }

    /// The failing share of the fleet outside a scope that had `failing`
    /// of `heard` members failing (of `failed` of the fleet's): a release
    /// on a third of the fleet would otherwise raise the bar it is judged
    /// against. A scope with too few terminals outside it to compare with
    /// (a model the whole fleet runs) is judged against the whole fleet,
    /// itself included: it cannot stand out from itself.
    fn outside(&self, failed: u32, failing: u32, heard: u32) -> f64 {
        let rest = self.heard.saturating_sub(heard);
        if rest < OUTSIDE_HEARD_MIN {
            return f64::from(failed) / f64::from(self.heard.max(1));
        }
        f64::from(failed.saturating_sub(failing)) / f64::from(rest)
    }
}

/// A scope's judgement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Quiet,
    /// Firing on failures, with so many failing terminals.
    Failing(u32),
    /// Firing on failures of one kind far above the fleet's rate of that
    /// kind, with so many failing terminals.
    FailingOf {
        failing: u32,
        class: Failure,
    },
    /// Firing on a burst of failed payments too unlikely by chance to wait
    /// out, with so many failing terminals.
    Burst(u32),
    /// Firing on refusals of one kind (account or protocol), with so many
    /// refused terminals; `settled` when they are too many to wait out.
    Refused {
        refused: u32,
        class: Failure,
        settled: bool,
    },
}

impl Verdict {
    fn failing(self) -> u32 {
        match self {
            Verdict::Quiet => 0,
            Verdict::Failing(n)
            | Verdict::Burst(n)
            | Verdict::Refused { refused: n, .. }
            | Verdict::FailingOf { failing: n, .. } => n,
        }
    }
}

/// What a burst is judged against.
#[derive(Clone, Copy, Debug)]
enum Baseline {
    /// A failure rate worked out elsewhere (an issuer: other banks' cards).
    Given(f64),
    /// The scope's own rate before the window (once enough of it is known).
    OwnPast,
}

/// Who answers for a card: its issuer where the knowledge base knows its
/// BIN, else the BIN itself.
#[derive(Clone, Copy, Debug)]
pub enum CardIssuer<'a> {
    /// The issuer's index in the knowledge base, and its id.
    Known(u16, &'a str),
    Bin(u32),
}

impl CardIssuer<'_> {
    /// BINs are six digits, below a million; issuers are numbered above.
    pub fn key(self) -> u32 {
        match self {
            CardIssuer::Known(i, _) => 1_000_000 + u32::from(i),
            CardIssuer::Bin(b) => b,
        }
    }

    /// The scope's key: an issuer id (`ccb`) or a BIN (`621700`).
    fn label(self) -> String {
        match self {
            CardIssuer::Known(_, id) => id.to_string(),
            CardIssuer::Bin(b) => format!("{b:06}"),
        }
    }
}

/// What changed, for whoever writes incidents out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentChange {
    Opened(u32),
    /// A terminal joined it.
    Joined(u32),
    Closed(u32),
}

impl IncidentChange {
    pub fn incident(self) -> u32 {
        match self {
            IncidentChange::Opened(i) | IncidentChange::Joined(i) | IncidentChange::Closed(i) => i,
        }
    }
}

/// Per scope (a shop, a release), the events the diagnosis read as one
/// kind of the scope's own trouble over the last [`SCOPE_SIGNS_WINDOW_S`],
/// and the fleet's rate of them: what a scope's count is judged against.
#[derive(Debug, Default)]
struct ScopeSigns {
    /// Per scope: (when, terminal).
    by_scope: FxHashMap<u32, std::collections::VecDeque<(Ts, u32)>>,
    /// The fleet's so far, and the first one's time.
    seen: u32,
    first: Option<Ts>,
    /// Per terminal, when its sign last counted in `seen` (for
    /// [`ScopeSigns::note_terminal`]).
    noted_at: FxHashMap<u32, Ts>,
}

impl ScopeSigns {
    /// Counts one at `ts` in the fleet's rate (a terminal in no known shop's
    /// too; not one inside an incident already: another release's outage
    /// is no ordinary rate to judge a release by).
    fn note(&mut self, ts: Ts) {
        self.first.get_or_insert(ts);
        self.seen += 1;
    }

    /// Takes in one at `ts` in scope `s`; returns the scope's in the window.
    fn push(&mut self, s: u32, terminal: u32, ts: Ts) -> &std::collections::VecDeque<(Ts, u32)> {
        let signs = self.by_scope.entry(s).or_default();
        signs.push_back((ts, terminal));
        while signs
            .front()
            .is_some_and(|&(at, _)| ts.secs_since(at) > SCOPE_SIGNS_WINDOW_S as f64)
        {
            signs.pop_front();
        }
        signs
    }

    /// Takes in an event of `terminal` at `ts` in scope `s` as one of its
    /// episodes (none if the terminal had one there within
    /// [`SIGN_EPISODE_S`]); returns the scope's count in the window and
    /// the terminals with [`SIGNS_EACH_MIN`] or more of them.
    fn take(&mut self, s: u32, terminal: u32, ts: Ts) -> Option<(u32, Vec<u32>)> {
        if self.within(s, terminal, ts, SIGN_EPISODE_S) {
            return None;
        }
        let signs = self.push(s, terminal, ts);
        let n = signs.len() as u32;
        let mut who: Vec<u32> = signs.iter().map(|&(_, t)| t).collect();
        who.sort_unstable();
        let each: Vec<u32> = who
            .chunk_by(|a, b| a == b)
            .filter(|run| run.len() >= SIGNS_EACH_MIN)
            .map(|run| run[0])
            .collect();
        Some((n, each))
    }

    /// Whether `terminal`'s latest sign in scope `s` is less than
    /// `episode_s` from `ts`: the same episode.
    fn within(&self, s: u32, terminal: u32, ts: Ts, episode_s: f64) -> bool {
        self.by_scope.get(&s).is_some_and(|v| {
            v.iter()
                .rev()
                .find(|&&(_, t)| t == terminal)
                .is_some_and(|&(at, _)| ts.secs_since(at).abs() < episode_s)
        })
    }

    /// Counts `terminal`'s sign at `ts` in the fleet's rate of terminals
    /// with one in an hour: its first in [`SCOPE_SIGNS_WINDOW_S`] only, so
    /// that one terminal crashing twenty times is one terminal, not twenty.
    fn note_terminal(&mut self, terminal: u32, ts: Ts) {
        if self
            .noted_at
            .get(&terminal)
            .is_some_and(|&at| ts.secs_since(at) < SCOPE_SIGNS_WINDOW_S as f64)
        {
            return;
        }
        self.noted_at.insert(terminal, ts);
        self.note(ts);
    }

    /// Scope `s`'s distinct terminals with a sign in the window.
    fn terminals(&self, s: u32) -> Vec<u32> {
        let mut who: Vec<u32> = self
            .by_scope
            .get(&s)
            .map_or_else(Vec::new, |v| v.iter().map(|&(_, t)| t).collect());
        who.sort_unstable();
        who.dedup();
        who
    }

    /// The chance of a scope of `members` terminals having its `n` or more
    /// in a window at the rest of the fleet's rate per terminal-hour so far
    /// (over an hour at least: the first of a stream are no rate yet), of
    /// `terminals` in all: a scope failing alone must not raise the bar it
    /// is judged by.
    /// `busier`: how many times the fleet's the scope's members work
    /// (payments per terminal), at least one: signs of people's doing come
    /// with the work.
    fn chance(&self, n: u32, members: usize, terminals: usize, ts: Ts, busier: f64) -> f64 {
        let hours = self
            .first
            .map_or(1.0, |f| (ts.secs_since(f) / 3600.0).max(1.0));
        let rest = terminals.saturating_sub(members).max(1) as f64;
        let rate = f64::from(self.seen.saturating_sub(n)) / (rest * hours);
        let window_h = SCOPE_SIGNS_WINDOW_S as f64 / 3600.0;
        let expected =
            (rate * members as f64 * window_h * busier.max(1.0)).max(SCOPE_SIGNS_EXPECTED_MIN);
        poisson_tail(n, expected)
    }
}

/// Every scope, every incident, and each terminal's scopes.
#[derive(Debug, Default)]
pub(crate) struct Fleet {
    scope_index: FxHashMap<(ScopeKind, Box<str>), u32>,
    scopes: Vec<Scope>,
    /// Per terminal, its scope in each kind (`NONE` if unknown).
    member_of: Vec<[u32; ScopeKind::COUNT]>,
    pub incidents: Vec<Incident>,
    open: Vec<u32>,
    /// Per terminal, the open incident it belongs to (`NONE` if none).
    incident_of: Vec<u32>,
    pub changes: Vec<IncidentChange>,
    ticked_at: Option<Ts>,
    /// Per terminal, its latest failure of each kind (by [`Failure::slot`])
    /// and its latest outcome.
    last_seen: Vec<([Option<Ts>; Failure::COUNT], Option<Ts>)>,
    /// Per terminal, the latest signs it gave.
    marks: Vec<TerminalMarks>,
    /// Per terminal, its heartbeat's rhythm and when it was last heard
    /// (apart from its marks: judging a scope reads those member by
    /// member, and a rhythm's dozen fields would crowd them out of the
    /// cache).
    beats: Vec<Beat>,
    /// The fleet's failing shares, and when they were computed.
    fleet_share: Option<(Ts, FleetShares)>,
    /// The failing shares of the fleet outside incidents, and when they
    /// were computed: a release's refusals are judged against them, and a
    /// fleet refusing messages here and there all day asks often (a cell:
    /// asked while judging, which borrows the fleet).
    outside_share: std::cell::Cell<Option<(Ts, FleetShares)>>,
    /// Scopes firing but not yet for [`PERSIST_S`]: (scope, a failing
    /// member, its failure).
    /// Whether that member's failure was its silence.
    pending_open: Vec<(u32, u32, Failure, Heard)>,
    /// [`CardIssuer::key`] to its issuer scope.
    card_scopes: FxHashMap<u32, u32>,
    /// Events diagnosed as a shop's cashiers' slips.
    operator_slips: ScopeSigns,
    /// Events diagnosed as a shop's router or mains failing.
    link_signs: ScopeSigns,
    /// Events diagnosed as the terminal's parameters, per merchant (see
    /// [`Fleet::observe_merchant_config`]).
    merchant_config_signs: ScopeSigns,
    /// Events diagnosed as each of [`SHARED_DEVICE_CAUSES`], per shop and
    /// per merchant.
    device_signs: [ScopeSigns; SHARED_DEVICE_CAUSES.len()],
    /// Events diagnosed as a version its host no longer accepts, per
    /// release (app version and firmware scopes).
    release_signs: ScopeSigns,
    /// Events diagnosed as a software defect, per release: terminals, not
    /// events, count (see [`Fleet::observe_release_bug`]).
    release_bugs: ScopeSigns,
    /// All cards: how often they went unanswered lately.
    cards: Rate,
    /// Per BIN, its cards refused by their bank, per reason.
    bin_declines: BinDeclines,
    /// All payments, as a host counts them: how often they failed lately.
    host_payments: Rate,
    /// The latest time any terminal was heard at.
    latest_heard: Option<Ts>,
    /// When terminals fall silent unless heard before: (due, terminal),
    /// soonest first; an entry is stale unless it is its terminal's
    /// [`Beat::due`].
    silence_due: std::collections::BinaryHeap<std::cmp::Reverse<(Ts, u32)>>,
    /// Incidents closed but not yet announced, and when they will be: until
    /// then their scope failing again resumes them unannounced.
    closing: Vec<(u32, Ts)>,
    /// Per host scope, its answers of the last half hour.
    host_answers: FxHashMap<u32, HostAnswers>,
}

/// What the fleet keeps of one terminal beside its scopes, its incident,
/// its latest failures and its heartbeat's rhythm: the latest signs it
/// gave, each of its kind. One record per terminal, so that a terminal
/// first heard of grows one vector, not one per sign in step.
#[derive(Debug, Clone, Copy, Default)]
struct TerminalMarks {
    /// Its latest link failure other than a report of it offline (a shop or
    /// carrier counts a report as silence only).
    last_loud_link: Option<Ts>,
    /// Whether its radio's latest reading was a weak one: its failures are its
    /// own air's, not its carrier's (a carrier's outage cuts off terminals with
    /// a normal signal; a dead zone's, a rural shop's or a taxi's, do not make
    /// one).
    radio_weak: bool,
    /// Its latest weak radio reading (see [`Air::weak`]).
    radio_weak_at: Option<Ts>,
    /// Its latest failure a host shares heard on a host's way (not
    /// [`off_host`]).
    last_on_host: Option<Ts>,
    /// Its latest refusal of each shared kind (by [`Failure::slot`]): an
    /// account refusal is its merchant's business, a protocol refusal its
    /// software's.
    last_refused: [Option<Ts>; Failure::COUNT],
    /// Its latest sign of its power failing (a power event, a reboot after
    /// power loss, a supply reading off, a power-on or power-worded error): an
    /// incident's cause before any of its members has been diagnosed.
    last_power: Option<Ts>,
    /// Its latest sign of its own link gone dark: reported offline while meant
    /// to be on, or heartbeats losing packets. A host, a bank or a release
    /// never darkens a terminal's heartbeats.
    last_dark: Option<Ts>,
    /// Its latest failure the diagnosis read as a person's: the cashier's slip
    /// or the customer's card.
    human_at: Option<Ts>,
    /// The kinds of failure (bits by [`Failure::slot`]) whose latest failure
    /// the diagnosis read as a person's: a release counts that kind of failure
    /// of the terminal only once it fails so again.
    human_slots: u8,
    /// Whether it reaches its host through its shop's router (its inventory
    /// says wired or Wi-Fi): see [`Air`].
    on_router: bool,
    /// When its link last worked: a heartbeat across it whole, a payment
    /// answered.
    link_ok_at: Option<Ts>,
    /// When its firmware or app version last changed.
    updated_at: Option<Ts>,
    /// Its latest link failure a release counts: any but a management
    /// system's report of it offline, which counts only within
    /// [`RELEASE_FRESH_S`] of an update (a release that hangs the terminals
    /// it was just installed on).
    last_release_link: Option<Ts>,
}

/// A terminal's heartbeat rhythm.
#[derive(Debug, Clone, Copy, Default)]
struct Beat {
    /// Its latest heartbeat, and its latest record of any kind.
    beat: Option<Ts>,
    heard: Option<Ts>,
    /// Mean gap between heartbeats (exponentially weighted), seconds, and
    /// how many gaps that is of.
    gap_s: f32,
    gaps: u8,
    /// When it falls silent (or is told silent again) unless heard first.
    due: Option<Ts>,
    /// The soonest of its entries in [`Fleet::silence_due`]: each word
    /// moves `due` on, and only a due sooner than this one is queued (the
    /// queued one, popped, queues `due`): one entry per terminal, not one
    /// per record.
    queued: Option<Ts>,
    /// When a management system first reported it offline since it was
    /// last heard from.
    offline_since: Option<Ts>,
    /// Its latest dark spell, longer than it counts as silent after: when
    /// it was last heard before it, and first heard after it.
    dark: Option<(Ts, Ts)>,
    /// How late its records come (behind the latest of the fleet's when
    /// they arrive), seconds: a decaying maximum. A terminal whose words
    /// come in batches minutes late is not silent for their lateness.
    late_s: f32,
}

impl Beat {
    /// How long after its last word it counts as silent, seconds.
    fn silent_after_s(&self) -> i64 {
        ((f64::from(self.gap_s) * SILENT_AFTER_GAPS).round() as i64).max(SILENT_AFTER_MIN_S)
            + self.late_s.round() as i64
    }
}

impl Fleet {
    /// Notes a sign of `terminal`'s power failing at `ts`.
    pub(crate) fn note_power(&mut self, terminal: u32, ts: Ts) {
        self.ensure(terminal);
        keep_latest(&mut self.marks[terminal as usize].last_power, ts);
    }

    /// Whether `terminal`'s latest power sign falls in `[from, to]`.
    pub(crate) fn power_sign_in(&self, terminal: u32, from: Ts, to: Ts) -> bool {
        self.marks
            .get(terminal as usize)
            .and_then(|m| m.last_power)
            .is_some_and(|p| p >= from && p <= to)
    }

    /// Notes a sign of `terminal`'s own link gone dark at `ts`.
    pub(crate) fn note_dark(&mut self, terminal: u32, ts: Ts) {
        self.ensure(terminal);
        keep_latest(&mut self.marks[terminal as usize].last_dark, ts);
    }

    /// `terminal` reaches its host through its shop's router (`on_router`:
    /// wired or Wi-Fi) or not.
    pub(crate) fn set_on_router(&mut self, terminal: u32, on_router: bool) {
        self.ensure(terminal);
        self.marks[terminal as usize].on_router = on_router;
    }

    /// `terminal`'s firmware or app version changed at `ts`.
    pub(crate) fn note_update(&mut self, terminal: u32, ts: Ts) {
        self.ensure(terminal);
        keep_latest(&mut self.marks[terminal as usize].updated_at, ts);
    }

    /// `terminal`'s latest link failure a scope of `kind` counts: not a
    /// report of it offline that the scope hears as silence
    /// ([`ScopeKind::hears_offline_as`]).
    fn link_failure_counted(&self, terminal: u32, kind: ScopeKind) -> Option<Ts> {
        let marks = &self.marks[terminal as usize];
        match kind {
            ScopeKind::Site | ScopeKind::Carrier => marks.last_loud_link,
            k if k.relative() => marks.last_release_link,
            _ => self.last_seen[terminal as usize].0[Failure::Link.slot()],
        }
    }

    /// Whether `terminal` was updated within [`RELEASE_FRESH_S`] before `ts`.
    fn freshly_updated(&self, terminal: u32, ts: Ts) -> bool {
        self.marks[terminal as usize]
            .updated_at
            .is_some_and(|u| u <= ts && ts.secs_since(u) <= RELEASE_FRESH_S as f64)
    }

    /// `terminal`'s link worked at `ts`: a heartbeat crossed it whole, or
    /// the host answered a payment.
    pub(crate) fn link_ok(&mut self, terminal: u32, ts: Ts) {
        self.ensure(terminal);
        keep_latest(&mut self.marks[terminal as usize].link_ok_at, ts);
    }

    /// Whether `terminal`'s latest sign of its link gone dark falls in
    /// `[from, to]`.
    fn dark_sign_in(&self, terminal: u32, from: Ts, to: Ts) -> bool {
        self.marks
            .get(terminal as usize)
            .and_then(|m| m.last_dark)
            .is_some_and(|d| d >= from && d <= to)
    }

    /// Of `inc`'s members, how many showed a power sign from 15 minutes
    /// before it opened to its latest failure, and how many members it has.
    pub(crate) fn power_signs(&self, inc: &Incident) -> (usize, usize) {
        let from = inc.opened_at.plus_secs(-900);
        let to = inc.last_failure.max(inc.opened_at);
        let signed = inc
            .terminals
            .iter()
            .filter(|&&t| self.power_sign_in(t, from, to))
            .count();
        (signed, inc.terminals.len())
    }

    fn ensure(&mut self, terminal: u32) {
        let need = terminal as usize + 1;
        if self.member_of.len() < need {
            self.member_of.resize(need, [NONE; ScopeKind::COUNT]);
            self.incident_of.resize(need, NONE);
            self.last_seen.resize(need, ([None; Failure::COUNT], None));
            self.marks.resize(need, TerminalMarks::default());
            self.beats.resize(need, Beat::default());
        }
    }

    /// `terminal`'s radio read weak (`weak`) or not at `ts`.
    pub fn radio_read(&mut self, terminal: u32, ts: Ts, weak: bool) {
        self.ensure(terminal);
        self.marks[terminal as usize].radio_weak = weak;
        if weak {
            self.marks[terminal as usize].radio_weak_at = Some(ts);
        }
    }

    /// A radio reading `terminal`'s own words gave as it failed, weak or
    /// not: to its shop, its air, as a heartbeat's reading is. To its
    /// carrier, nothing: many of a carrier's modems saying "no service" at
    /// once in a city are its towers gone, not each one's corner.
    pub fn radio_worded(&mut self, terminal: u32, ts: Ts, weak: bool) {
        self.ensure(terminal);
        if weak {
            self.marks[terminal as usize].radio_weak_at = Some(ts);
        }
    }

    /// `terminal`'s air at `ts`.
    fn air(&self, terminal: u32, ts: Ts) -> Air {
        Air::of(&self.marks, &self.member_of, terminal, ts)
    }

    /// `terminal` was heard from at `ts`: a heartbeat (`heartbeat`), or any
    /// other record. Heartbeats teach its rhythm; any word puts off its
    /// falling silent.
    pub fn heard(&mut self, terminal: u32, ts: Ts, heartbeat: bool) {
        self.ensure(terminal);
        let latest = *self.latest_heard.get_or_insert(ts);
        self.latest_heard = Some(latest.max(ts));
        let b = &mut self.beats[terminal as usize];
        let late = latest.secs_since(ts).clamp(0.0, LATE_MAX_S) as f32;
        b.late_s = late.max(b.late_s * LATE_DECAY);
        if heartbeat {
            if let Some(last) = b.beat
                && ts > last
            {
                let gap = ts.secs_since(last);
                if gap <= BEAT_GAP_MAX_S {
                    b.gap_s = if b.gaps == 0 {
                        gap as f32
                    } else {
                        0.8 * b.gap_s + 0.2 * gap as f32
                    };
                    b.gaps = b.gaps.saturating_add(1);
                }
            }
            keep_latest(&mut b.beat, ts);
        }
        if b.heard.is_some_and(|h| h >= ts) {
            return;
        }
        if let Some(h) = b.heard
            && b.gaps >= BEAT_GAPS_KNOWN
            && ts.secs_since(h) > b.silent_after_s() as f64
        {
            b.dark = Some((h, ts));
        }
        b.heard = Some(ts);
        b.offline_since = None;
        if b.gaps >= BEAT_GAPS_KNOWN {
            let due = ts.plus_secs(b.silent_after_s());
            b.due = Some(due);
            if b.queued.is_none_or(|q| due < q) {
                b.queued = Some(due);
                self.silence_due.push(std::cmp::Reverse((due, terminal)));
            }
        }
    }

    /// When `terminal` was last heard from (any record), if ever.
    pub fn last_heard(&self, terminal: u32) -> Option<Ts> {
        self.beats.get(terminal as usize).and_then(|b| b.heard)
    }

    /// Tells the terminals fallen silent by `ts` to their shops and
    /// carriers: once when their silence begins to count, and again every
    /// heartbeat gap while it lasts, up to [`SILENCE_TOLD_S`].
    fn tell_silences(&mut self, ts: Ts) {
        while let Some(&std::cmp::Reverse((due, terminal))) = self.silence_due.peek() {
            if due > ts {
                break;
            }
            self.silence_due.pop();
            let b = &mut self.beats[terminal as usize];
            if b.queued == Some(due) {
                b.queued = None;
            }
            if b.due != Some(due) {
                // Heard since it was queued: its silence is due later.
                if let Some(later) = b.due.filter(|&d| d > due && b.queued.is_none()) {
                    b.queued = Some(later);
                    self.silence_due.push(std::cmp::Reverse((later, terminal)));
                }
                continue;
            }
            let next = due.plus_secs((f64::from(b.gap_s).round() as i64).max(60));
            b.due = b
                .heard
                .is_some_and(|h| next.secs_since(h) <= SILENCE_TOLD_S as f64)
                .then_some(next);
            if let Some(next) = b.due {
                b.queued = Some(next);
                self.silence_due.push(std::cmp::Reverse((next, terminal)));
            }
            self.silent(terminal, due);
        }
    }

    /// Takes in `terminal`'s silence at `ts`: its shop and carrier weigh
    /// it, beside a member failing out loud only.
    fn silent(&mut self, terminal: u32, ts: Ts) {
        let outcome = Outcome {
            ts,
            terminal,
            failure: Failure::Link as u8,
            source: Source::Silence,
            purchase: Purchase::default(),
        };
        let scopes = self.member_of[terminal as usize];
        for kind in [ScopeKind::Site, ScopeKind::Carrier] {
            let s = scopes[kind as usize];
            if s != NONE {
                self.scopes[s as usize].push(outcome);
            }
        }
        self.judge_terminal(terminal, ts, Failure::Link, Heard::Silence);
    }

    /// A report that `terminal` was not heard from at `ts` (a management
    /// system's "offline"): to its shop and carrier, its silence, told at
    /// once (shops switch their terminals off at closing time, one by one);
    /// to the rest, a link failure like any other (a release that hangs
    /// its terminals, judged against the fleet, which closes shops alike).
    ///
    /// Reported offline again and again, a minute and more on, it is
    /// failing out loud: the system is still trying to reach a terminal
    /// that is meant to be on (a shop closing is reported once).
    pub fn observe_offline(&mut self, terminal: u32, ts: Ts) {
        self.ensure(terminal);
        let since = *self.beats[terminal as usize]
            .offline_since
            .get_or_insert(ts);
        // Or its shop's terminals reported offline all at once: a power
        // cut or a router's, not a shop closing one counter after another.
        // Two counters shut a few seconds apart after a third shut minutes
        // before are a shop closing too.
        let shop = self.member_of[terminal as usize][ScopeKind::Site as usize];
        let with_a_neighbour = shop != NONE && {
            let (mut at_once, mut before) = (false, false);
            for &m in &self.scopes[shop as usize].members {
                let Some(o) = self.beats[m as usize]
                    .offline_since
                    .filter(|_| m != terminal)
                else {
                    continue;
                };
                let ago = ts.secs_since(o);
                if ago.abs() <= OFFLINE_AT_ONCE_S as f64 {
                    at_once = true;
                } else if ago > OFFLINE_STAGGER_MIN_S as f64 && ago <= OFFLINE_STAGGERED_S as f64 {
                    before = true;
                }
            }
            at_once && !before
        };
        let source = if ts.secs_since(since) >= OFFLINE_PERSISTS_S as f64 || with_a_neighbour {
            self.note_dark(terminal, ts);
            Source::OfflineLoud
        } else {
            Source::Offline
        };
        self.record(
            terminal,
            ts,
            Some(Failure::Link),
            source,
            Purchase::default(),
        );
    }

    /// Puts `terminal` in the scope `kind = key` (its inventory said so).
    pub fn set_scope(&mut self, terminal: u32, kind: ScopeKind, key: &str) {
        self.ensure(terminal);
        let n = self.scopes.len() as u32;
        let id = *self.scope_index.entry((kind, key.into())).or_insert(n);
        if id == n {
            self.scopes.push(Scope::new(kind, key));
        }
        let old = self.member_of[terminal as usize][kind as usize];
        if old != id {
            if old != NONE {
                self.scopes[old as usize].members.retain(|&t| t != terminal);
            }
            self.scopes[id as usize].members.push(terminal);
        }
        self.member_of[terminal as usize][kind as usize] = id;
    }

    /// Distinct sites of `members` (a terminal without a known site counts
    /// as a site of its own).
    fn sites_spanned(&self, members: &[u32]) -> u32 {
        self.spanned(members, ScopeKind::Site)
    }

    /// Distinct scopes of `kind` of `members` (a terminal without one counts
    /// as one of its own).
    fn spanned(&self, members: &[u32], kind: ScopeKind) -> u32 {
        let mut keys: Vec<u32> = members.iter().map(|&t| self.scope_key(t, kind)).collect();
        keys.sort_unstable();
        keys.dedup();
        keys.len() as u32
    }

    /// Whether scope `s` fires now, and with how many failing terminals.
    /// Two tests, either suffices: most of the members heard from in the
    /// last five minutes failing (an outage), or, over fifteen minutes, far
    /// more members failing at all than the rest of the fleet would (a bad
    /// release, a router that drops one payment in three).
    fn verdict(&self, s: u32, ts: Ts, shares: &FleetShares) -> Verdict {
        let fleet_share = shares.any_share();
        let sc = &self.scopes[s as usize];
        let kind = sc.kind;
        // A scope broader than a shop must be failing in several shops: one
        // shop's outage is the shop's, whatever version its terminals run.
        // A host's, at several merchants too: one merchant's shops failing
        // alone had its parameters (a host address, a port) pushed to them.
        let spread = |members: &[u32]| {
            self.sites_spanned(members) >= kind.min_sites()
                && (kind != ScopeKind::Host || self.spanned(members, ScopeKind::Merchant) >= 2)
        };
        if !kind.relative() {
            let air = |t: u32| self.air(t, ts);
            let (failing, ok, members) = sc.judge(ts.plus_secs(-kind.window_s()), ts, &air);
            // Hysteresis: an open incident's scope keeps firing at a lower
            // share, so an outage that comes and goes stays one.
            let share = if sc.incident.is_some() {
                FAILING_SHARE_HOLD
            } else {
                FAILING_SHARE_MIN
            };
            if failing >= kind.min_failing_of(sc.members.len())
                && failing as f64 >= share * (failing + ok).max(1) as f64
                && spread(&members)
            {
                return Verdict::Failing(failing);
            }
        }
        // A host whose incident is its refused MACs, its payments now going
        // unanswered in a burst: that is news, the refusals are not.
        if kind == ScopeKind::Host
            && sc
                .incident
                .is_some_and(|i| self.incidents[i as usize].other_kinds_are_news())
            && let Some(n) = self
                .burst(s, ts, Baseline::OwnPast, &[BURST_WINDOW_S, WINDOW_S])
                .or_else(|| self.degraded(s, ts))
        {
            return Verdict::Burst(n);
        }
        // A shop's or merchant's terminals refused for the account's
        // reasons, or a version's terminals refused for their messages in
        // two shops: rare by chance, whatever their other payments do.
        let refusals: &[(Failure, u32)] = match kind {
            ScopeKind::Site => &[(Failure::Account, 2)],
            // A merchant's terminals refused for their MACs together had
            // keys or parameters (a key index) pushed to them.
            ScopeKind::Merchant => &[(Failure::Account, 2), (Failure::Keys, 2)],
            // A version, not a model or a host: a host refuses a few
            // misconfigured terminals' messages on any day.
            ScopeKind::AppVersion | ScopeKind::Firmware => &[(Failure::Protocol, 2)],
            // A host refusing MACs from three terminals in two shops has
            // changed its keys under them.
            ScopeKind::Host => &[(Failure::Keys, 3)],
            ScopeKind::Model | ScopeKind::Certificate | ScopeKind::Carrier | ScopeKind::Issuer => {
                &[]
            }
        };
        // A kind of refusal its open incident did not fire on is judged
        // first: a merchant whose customers' cards hit a limit and whose
        // MACs are now refused has a second fault, and that is the news.
        let held = sc
            .incident
            .map_or(0, |i| self.incidents[i as usize].fired_on);
        let news = refusals.iter().filter(|(c, _)| held & *c as u8 == 0);
        let old = refusals.iter().filter(|(c, _)| held & *c as u8 != 0);
        for &(class, min) in news.chain(old) {
            let from = ts.plus_secs(-RELATIVE_WINDOW_S);
            let refused: Vec<u32> = sc
                .members
                .iter()
                .copied()
                .filter(|&t| {
                    self.marks[t as usize].last_refused[class.slot()]
                        .is_some_and(|r| r >= from && r <= ts)
                })
                .collect();
            // Refused in two shops at least: one shop's refusals are its
            // own set-up's. A host's keys, at two merchants at least: one
            // merchant's terminals refused together had its parameters
            // (a key index) pushed to them.
            if refused.len() as u32 >= min
                && (class == Failure::Account
                    || kind == ScopeKind::Merchant
                    || self.sites_spanned(&refused) >= 2)
                && (kind != ScopeKind::Host || self.spanned(&refused, ScopeKind::Merchant) >= 2)
            {
                // Three refusals or more are no coincidence of two
                // customers' cards: nothing to wait out. Fewer must last.
                let refusals = sc.ring[..sc.len as usize]
                    .iter()
                    .filter(|o| o.failure & class as u8 != 0 && o.ts >= from && o.ts <= ts)
                    .count();
                if kind.relative()
                    && class == Failure::Protocol
                    && !self.protocol_refusals_past_chance(s, ts, &refused)
                {
                    continue;
                }
                return Verdict::Refused {
                    refused: refused.len() as u32,
                    class,
                    settled: refusals >= REFUSALS_SETTLED,
                };
            }
            // Over five minutes (a limit set too low, just now) or fifteen
            // (a type of payment that comes by now and then).
            if kind == ScopeKind::Merchant
                && class == Failure::Account
                && sc.members.len() >= 2
                && let Some(refused) = [WINDOW_S, RELATIVE_WINDOW_S]
                    .iter()
                    .find_map(|&w| self.account_refusals_past_chance(s, ts.plus_secs(-w), ts))
            {
                return Verdict::Refused {
                    refused,
                    class,
                    settled: true,
                };
            }
        }
        if matches!(kind, ScopeKind::Host | ScopeKind::Carrier) {
            // Two minutes first: an outage's first burst, before five
            // minutes of approvals dilute it.
            if let Some(n) = self.burst(s, ts, Baseline::OwnPast, &[BURST_WINDOW_S, WINDOW_S]) {
                return Verdict::Burst(n);
            }
        }
        if kind == ScopeKind::Host
            && let Some(n) = self.degraded(s, ts)
        {
            return Verdict::Burst(n);
        }
        let past_fleet = |bits: u8, base: Option<u32>, chance_max: f64| {
            let (failing, ok, members) = self.judge_members(s, ts, bits);
            let base = match base {
                Some(failed) => shares.outside(failed, failing, failing + ok),
                None => fleet_share,
            };
            let own = failing as f64 / (failing + ok).max(1) as f64;
            (failing >= kind.min_failing()
                && own >= RELATIVE_SHARE_MIN
                && own >= RELATIVE_FACTOR * base
                && binomial_tail(failing + ok, failing, base.max(0.01)) < chance_max
                && spread(&members))
            .then_some(failing)
        };
        if let Some(failing) = past_fleet(kind.outage_shares(), None, RELATIVE_CHANCE_MAX) {
            return Verdict::Failing(failing);
        }
        // A release whose app crashes on some payments hides among a
        // fleet whose links fail all day (weak radio, busy shops): judged
        // on its own kind of failure against the fleet's rate of that
        // kind, it stands out.
        if kind.relative() {
            for class in RELEASE_KINDS {
                if let Some(failing) = past_fleet(
                    class as u8,
                    Some(shares.of[class.slot()]),
                    RELATIVE_KIND_CHANCE_MAX,
                ) {
                    return Verdict::FailingOf { failing, class };
                }
            }
        }
        Verdict::Quiet
    }

    /// Whether merchant scope `s`'s payments in `[from, to]` were refused
    /// for its account on more distinct purchases than the fleet's rate of
    /// such refusals explains, by a binomial test; if so, on how many of its
    /// terminals. A merchant's account is every one of its terminals', so
    /// one busy terminal's refusals are evidence enough — but two refused
    /// purchases at least, since one customer's card at a limit or a risk
    /// hold is an ordinary day.
    fn account_refusals_past_chance(&self, s: u32, from: Ts, to: Ts) -> Option<u32> {
        let sc = &self.scopes[s as usize];
        let recent = || {
            sc.ring[..sc.len as usize]
                .iter()
                .filter(move |o| o.source.payment() && o.ts >= from && o.ts <= to)
        };
        let mut refused: Vec<Outcome> = recent()
            .filter(|o| o.failure == Failure::Account as u8)
            .copied()
            .collect();
        refused.sort_unstable_by_key(|o| (o.purchase.key, o.terminal));
        refused.dedup_by_key(|o| o.purchase.key);
        let mut terminals: Vec<u32> = refused.iter().map(|o| o.terminal).collect();
        terminals.sort_unstable();
        terminals.dedup();
        if terminals.len() == 1 {
            // One terminal refused with codes its own set-up gives too (a
            // merchant or terminal number the host does not know) is that
            // terminal's: its merchant's other terminals must show it too.
            refused.retain(|o| !o.purchase.setup_explains);
        }
        // Counted by the reason most of them give: a frozen account, a limit
        // or a risk hold refuses every purchase alike, while two customers
        // refused in an hour (a card's limit, a refund refused) say two
        // things.
        refused.sort_unstable_by_key(|o| o.purchase.reason);
        let purchases = refused
            .chunk_by(|a, b| a.purchase.reason == b.purchase.reason)
            .map(|same| same.len())
            .max()
            .unwrap_or(0) as u32;
        if purchases < 2 {
            return None;
        }
        let payments = recent().count() as u32;
        // Its own rate before the window, drawn towards a usual one: a
        // merchant whose customers often hit their cards' limits has a
        // higher bar, one never refused the usual one.
        let (mut nw, mut kw) = (0.0, 0.0);
        for o in recent().filter(|o| sc.rate_counts(o)) {
            nw += 1.0;
            kw += f64::from(u8::from(o.failure != 0));
        }
        let base = (((sc.rate.k - kw).max(0.0) + ACCOUNT_PRIOR_N * ACCOUNT_PRIOR_RATE)
            / ((sc.rate.n - nw).max(0.0) + ACCOUNT_PRIOR_N))
            .clamp(ACCOUNT_PRIOR_RATE, 1.0);
        (binomial_tail(payments, purchases, base) < ACCOUNT_CHANCE_MAX)
            .then_some(terminals.len() as u32)
    }

    /// (failing, ok, failing members) of a scope over [`RELATIVE_WINDOW_S`]:
    /// who failed at all (in a kind the scope shares), among who was heard
    /// from.
    fn judge_members(&self, scope: u32, ts: Ts, shares: u8) -> (u32, u32, Vec<u32>) {
        let from = ts.plus_secs(-RELATIVE_WINDOW_S);
        let mut failing = Vec::with_capacity(self.scopes[scope as usize].members.len());
        let mut ok = 0;
        let kind = self.scopes[scope as usize].kind;
        for &t in &self.scopes[scope as usize].members {
            if kind == ScopeKind::Carrier && self.marks[t as usize].radio_weak {
                continue;
            }
            let (fails, heard) = &self.last_seen[t as usize];
            // A release does not fail its cashiers' slips nor its
            // customers' cards: a kind whose latest failure was read so
            // does not count for it.
            let human_slots = if kind.relative() {
                self.marks[t as usize].human_slots
            } else {
                0
            };
            let fail = if kind == ScopeKind::Host {
                self.marks[t as usize].last_on_host
            } else {
                fails
                    .iter()
                    .enumerate()
                    .filter(|(bit, _)| shares & !human_slots & (1 << bit) != 0)
                    .filter_map(|(bit, f)| {
                        if 1 << bit == Failure::Link as u8 {
                            self.link_failure_counted(t, kind)
                        } else {
                            *f
                        }
                    })
                    .max()
            };
            // A release judged on its devices alone does not count a
            // device failure the diagnosis read as a cashier's slip or a
            // customer's card: no release inserts a card the wrong way.
            let human = shares == Failure::Device as u8
                && fail.is_some_and(|f| self.marks[t as usize].human_at.is_some_and(|h| h >= f));
            if fail.is_some_and(|f| f >= from && f <= ts) && !human {
                failing.push(t);
            } else if heard.is_some_and(|h| h >= from && h <= ts) {
                ok += 1;
            }
        }
        if kind == ScopeKind::Site && failing.iter().any(|&t| self.air(t, ts).weak) {
            // A member whose link alone failed, on its own air (see
            // [`Scope::judge_on`]), heard from besides: no failure of the
            // shop's.
            let within = |at: Option<Ts>| at.is_some_and(|f| f >= from && f <= ts);
            let airs: Vec<Air> = failing.iter().map(|&t| self.air(t, ts)).collect();
            let own: Vec<u32> = (0..failing.len())
                .filter(|&i| {
                    let t = failing[i] as usize;
                    let link_only = self.last_seen[t]
                        .0
                        .iter()
                        .enumerate()
                        .all(|(slot, &f)| slot == Failure::Link.slot() || !within(f));
                    link_only
                        && !within(self.marks[t].last_power)
                        && airs[i].alone(
                            airs.iter()
                                .enumerate()
                                .filter(|&(j, _)| j != i)
                                .map(|(_, &b)| b),
                        )
                })
                .map(|i| failing[i])
                .collect();
            failing.retain(|t| !own.contains(t));
            ok += own.len() as u32;
        }
        (failing.len() as u32, ok, failing)
    }

    /// The whole fleet's share of terminals that failed at all over
    /// [`RELATIVE_WINDOW_S`], recomputed at most every [`EVAL_EVERY_S`].
    fn fleet_share(&mut self, ts: Ts) -> FleetShares {
        if let Some((at, now)) = self.fleet_share
            && ts.secs_since(at) < EVAL_EVERY_S as f64
        {
            return now;
        }
        let shares = self.failing_shares(ts, |_| true);
        self.fleet_share = Some((ts, shares));
        shares
    }

    /// A card of `bin` paid (`failed` false) or went unanswered on
    /// `terminal`. The BIN's scope fires when most of the terminals its
    /// cards visited in fifteen minutes, three at least and in two shops, got
    /// no answer for them — while the host answers other cards
    /// (`host_fine`): a down host fails every bank.
    pub fn observe_card(
        &mut self,
        terminal: u32,
        card: CardIssuer<'_>,
        ts: Ts,
        failed: bool,
        host_fine: bool,
    ) {
        self.ensure(terminal);
        // A card gone unanswered on a terminal another incident holds for
        // its link (its host's outage, its shop's) is that incident's:
        // counted neither way, it neither makes the bank's outage nor hides
        // it. (An incident of its keys refused or its account explains no
        // payment gone unanswered.)
        let held = self.incident_of[terminal as usize];
        if failed
            && held != NONE
            && self.incidents[held as usize].fired_on & Failure::Link as u8 != 0
        {
            return;
        }
        let s = self.card_scope(card);
        self.scopes[s as usize].push(Outcome {
            ts,
            terminal,
            failure: if failed { Failure::Link as u8 } else { 0 },
            source: Source::Payment(card.key()),
            purchase: Purchase::default(),
        });
        self.cards.add(ts, failed);
        if !failed {
            return;
        }
        let due = self.scopes[s as usize]
            .judged_at
            .is_none_or(|j| ts.secs_since(j) >= EVAL_EVERY_S as f64);
        if due {
            let v = if host_fine {
                match self.verdict(s, ts, &FleetShares::default()) {
                    Verdict::Quiet => self.card_verdict(s, ts),
                    v => v,
                }
            } else {
                Verdict::Quiet
            };
            self.scopes[s as usize].judged(v, ts);
        }
        let sc = &self.scopes[s as usize];
        if sc.failing == 0 {
            if let Some(i) = sc.incident
                && !self.incidents[i as usize].on_declines
            {
                self.join(i, terminal);
            }
            return;
        }
        if sc.incident.is_none()
            && sc
                .firing_since
                .is_none_or(|f| ts.secs_since(f) < PERSIST_S as f64)
        {
            return;
        }
        let sibling = match card {
            CardIssuer::Bin(_) if self.scopes[s as usize].incident.is_none() => {
                self.bank_failing_since(s, ts)
            }
            _ => None,
        };
        let inc = match sibling {
            // A BIN the knowledge base does not know, failing from the
            // minutes a known bank began failing in: that bank's card.
            Some(i) => {
                self.scopes[s as usize].incident = Some(i);
                i
            }
            None => self.incident_of_scope(s, ts),
        };
        self.incidents[inc as usize].failed_at(ts);
        self.join(inc, terminal);
    }

    /// The open incident of a known bank (not a bare BIN) that opened
    /// shortly before BIN scope `s` would open its own, if any: a bank's
    /// outage fails all its BINs in the same minutes, two banks' outages
    /// begin apart.
    fn bank_failing_since(&self, s: u32, ts: Ts) -> Option<u32> {
        debug_assert_eq!(self.scopes[s as usize].kind, ScopeKind::Issuer);
        self.open
            .iter()
            .copied()
            .filter(|&i| {
                let inc = &self.incidents[i as usize];
                inc.kind == ScopeKind::Issuer && !is_bin_label(&inc.key)
            })
            .map(|i| (i, ts.secs_since(self.incidents[i as usize].opened_at)))
            .filter(|&(_, d)| (0.0..=SAME_ONSET_AFTER_S).contains(&d))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
    }

    /// Whether issuer scope `s` fails its cards far more often than other
    /// banks' cards fail.
    fn card_verdict(&self, s: u32, ts: Ts) -> Verdict {
        let sc = &self.scopes[s as usize];
        // Other banks' cards, from the fleet's rate less this bank's, drawn
        // towards a usual rate while few are known (a stream's first
        // minutes). Banks rarely fail to answer: a lower floor than a host's.
        // Nor do banks whose own outage an incident holds or held within
        // the hour: one bank's outage is no other bank's usual rate.
        let (mut others_n, mut others_k) = self.cards.as_of(ts);
        let (own_n, own_k) = sc.rate.as_of(ts);
        others_n -= own_n;
        others_k -= own_k;
        let mut excused: Vec<u32> = Vec::new();
        for inc in &self.incidents {
            let lately = inc.closed_at.is_none_or(|c| ts.secs_since(c) < RATE_TAU_S);
            if inc.kind != ScopeKind::Issuer || inc.scope == s || !lately {
                continue;
            }
            if !excused.contains(&inc.scope) {
                excused.push(inc.scope);
                let (n, k) = self.scopes[inc.scope as usize].rate.as_of(ts);
                others_n -= n;
                others_k -= k;
            }
        }
        let (others_n, others_k) = (others_n.max(0.0), others_k.max(0.0));
        let base = ((others_k + CARDS_PRIOR_N * CARDS_PRIOR_RATE) / (others_n + CARDS_PRIOR_N))
            .clamp(CARD_BASE_MIN, 1.0);
        // Over two or five minutes (an outage that just began, not yet
        // diluted by the approvals before it) or over fifteen (one that
        // fails a payment in five).
        let windows = [BURST_WINDOW_S, WINDOW_S, RELATIVE_WINDOW_S];
        match self.burst(s, ts, Baseline::Given(base), &windows) {
            Some(n) => Verdict::Burst(n),
            None => Verdict::Quiet,
        }
    }

    /// Whether scope `s` failed far more of its payments over one of
    /// `windows` than its failure rate before explains (`baseline`; a
    /// binomial test), on [`ScopeKind::min_failing`] terminals in
    /// [`ScopeKind::min_sites`] sites at least, besides the site failing
    /// most; if so, how many terminals failed.
    fn burst(&self, s: u32, ts: Ts, baseline: Baseline, windows: &[i64]) -> Option<u32> {
        let sc = &self.scopes[s as usize];
        let shares = sc.kind.shares();
        // A host is judged by its payments: a heartbeat's trouble is the
        // terminal's link, which a carrier shares and a host does not.
        // Nor are a down bank's cards its failures.
        // A host's burst is of unanswered payments: messages refused for
        // a version are the version's (judged on its own).
        let counts = |o: &&Outcome| match o.source {
            Source::Other
            | Source::OfflineLoud
            | Source::Heartbeat
            | Source::Mains
            | Source::Sag => sc.kind != ScopeKind::Host,
            // Not a payment lost: a burst is judged against payments.
            Source::Silence | Source::Offline => false,
            Source::Payment(card) => {
                sc.kind != ScopeKind::Host
                    || o.failure == 0
                    || (o.failure == Failure::Link as u8 && !self.issuer_failing(card))
            }
        };
        let site_of = |t: u32| self.site_key(t);
        let card_known = |o: &Outcome| matches!(o.source, Source::Payment(c) if c != 0);
        for &window in windows {
            let from = ts.plus_secs(-window);
            let mut failing: Vec<u32> = sc.ring[..sc.len as usize]
                .iter()
                .filter(|o| o.failure & shares != 0 && o.ts >= from && o.ts <= ts)
                .filter(|o| counts(o))
                .map(|o| o.terminal)
                .collect();
            failing.sort_unstable();
            failing.dedup();
            // The site with the most failing terminals left out: a shop's
            // own outage on top of a few stray failures is the shop's.
            let top = self.busiest_site(&failing);
            let rest: Vec<u32> = failing
                .iter()
                .copied()
                .filter(|&t| site_of(t) != top)
                .collect();
            if (rest.len() as u32) < sc.kind.min_failing()
                || self.sites_spanned(&rest) + 1 < sc.kind.min_sites()
                || (sc.kind == ScopeKind::Host && self.spanned(&failing, ScopeKind::Merchant) < 2)
            {
                continue;
            }
            let (mut n, mut k) = (0u32, 0u32);
            // Failed card payments per bank: a host fails every bank's.
            let mut banks: Vec<(u32, u32)> = Vec::new();
            for o in sc.ring[..sc.len as usize]
                .iter()
                .filter(|o| o.ts >= from && o.ts <= ts && site_of(o.terminal) != top)
                .filter(|o| o.failure == 0 || o.failure & shares != 0)
                .filter(|o| counts(o))
            {
                n += 1;
                k += u32::from(o.failure != 0);
                if let (Source::Payment(card), true) = (o.source, o.failure != 0 && card_known(o)) {
                    match banks.iter_mut().find(|b| b.0 == card) {
                        Some(b) => b.1 += 1,
                        None => banks.push((card, 1)),
                    }
                }
            }
            let card_failures: u32 = banks.iter().map(|b| b.1).sum();
            let top_bank = banks.iter().map(|b| b.1).max().unwrap_or(0);
            if sc.kind == ScopeKind::Host
                && card_failures >= ONE_BANK_MIN
                && f64::from(top_bank) >= ONE_BANK_SHARE * f64::from(card_failures)
            {
                // One bank's cards: that bank's trouble, whatever the host.
                continue;
            }
            let (base, share_min) = match baseline {
                Baseline::Given(b) => (b, CARD_SHARE_MIN),
                Baseline::OwnPast => {
                    // The rate before the window: the burst itself must not
                    // raise the bar it is judged against.
                    let (mut nw, mut kw) = (0.0, 0.0);
                    for o in sc.ring[..sc.len as usize]
                        .iter()
                        .filter(|o| o.ts >= from && o.ts <= ts && sc.rate_counts(o))
                    {
                        nw += 1.0;
                        kw += f64::from(u8::from(o.failure != 0));
                    }
                    let past_n = sc.rate.n - nw;
                    let past = if past_n >= RATE_KNOWN_N {
                        (sc.rate.k - kw).max(0.0) / past_n
                    } else if sc.kind == ScopeKind::Host
                        && self.host_payments.n - sc.rate.n >= RATE_KNOWN_N
                    {
                        // Failing since before the records began, it has no
                        // past of its own to go by: the other hosts' rate
                        // stands in for it.
                        (self.host_payments.k - sc.rate.k).max(0.0)
                            / (self.host_payments.n - sc.rate.n)
                    } else {
                        continue;
                    };
                    (past.clamp(BURST_BASE_MIN, 1.0), BURST_SHARE_MIN)
                }
            };
            if f64::from(k) >= share_min * f64::from(n)
                && f64::from(k) >= RELATIVE_FACTOR * base * f64::from(n)
                && binomial_tail(n, k, base) < BURST_CHANCE_MAX
            {
                return Some(failing.len() as u32);
            }
        }
        None
    }

    /// Host scope `s`'s terminals a degraded host is failing now, if it is:
    /// its malfunction answers over ten, twenty or thirty minutes far more
    /// than its rate before explains, by a binomial test, on four terminals
    /// at least in three shops besides the one with the most (a shop's
    /// own trouble), and not mostly one bank's cards (the bank's trouble,
    /// which the host only reports). See [`answers`].
    fn degraded(&self, s: u32, ts: Ts) -> Option<u32> {
        let h = self.host_answers.get(&s)?;
        // Still failing now: a host back from an outage has half an hour
        // of its malfunctions behind it and none lately.
        if (h.errors(ts.plus_secs(-WINDOW_S), ts).count() as u32) < answers::LATELY_MIN {
            return None;
        }
        for w in answers::WINDOWS_S {
            let from = ts.plus_secs(-w);
            let errors: Vec<(Ts, u32, u32)> = h
                .errors(from, ts)
                .filter(|e| !self.issuer_failing(e.2))
                .copied()
                .collect();
            if (errors.len() as u32) < answers::ERRORS_MIN {
                continue;
            }
            let mut terminals: Vec<u32> = errors.iter().map(|e| e.1).collect();
            terminals.sort_unstable();
            terminals.dedup();
            let top = self.busiest_site(&terminals);
            terminals.retain(|&t| self.site_key(t) != top);
            let errors: Vec<(Ts, u32, u32)> = errors
                .into_iter()
                .filter(|e| self.site_key(e.1) != top)
                .collect();
            if terminals.len() < answers::TERMINALS_MIN
                || self.sites_spanned(&terminals) + 1 < answers::SITES_MIN
            {
                continue;
            }
            let mut banks: Vec<u32> = errors.iter().map(|e| e.2).filter(|&c| c != 0).collect();
            banks.sort_unstable();
            let top_bank = banks
                .chunk_by(|a, b| a == b)
                .map(|r| r.len())
                .max()
                .unwrap_or(0);
            if banks.len() as u32 >= ONE_BANK_MIN
                && top_bank as f64 >= ONE_BANK_SHARE * banks.len() as f64
            {
                continue;
            }
            let answered = h.answered(from, ts);
            let bad = errors.len() as u32;
            // Against its own past, or — as far past — against the other
            // hosts' answers meanwhile, for a past that learned the ramp.
            if h.past_chance(answered, bad) || self.past_other_hosts(s, from, ts, answered, bad) {
                return Some(terminals.len() as u32);
            }
        }
        None
    }

    /// Whether `bad` of host scope `s`'s `answered` answers in `[from, to]`
    /// are past chance at the other hosts' rate of bad answers then; false
    /// unless the others gave [`OTHER_HOSTS_ANSWERS_MIN`] answers.
    fn past_other_hosts(&self, s: u32, from: Ts, to: Ts, answered: u32, bad: u32) -> bool {
        let (n, k) = self.host_answers.iter().filter(|(h, _)| **h != s).fold(
            (0u32, 0u32),
            |(n, k), (_, a)| {
                (
                    n + a.answered(from, to),
                    k + a.errors(from, to).count() as u32,
                )
            },
        );
        n >= OTHER_HOSTS_ANSWERS_MIN
            && answers::past_chance_at(answers::others_rate(n, k), answered, bad)
    }

    /// The site `terminal` is in, or a key of its own if none is known.
    fn site_key(&self, terminal: u32) -> u32 {
        self.scope_key(terminal, ScopeKind::Site)
    }

    /// `terminal`'s scope of `kind`, or a key of its own if it has none
    /// (above every scope's index, one per terminal).
    fn scope_key(&self, terminal: u32, kind: ScopeKind) -> u32 {
        match self.member_of[terminal as usize][kind as usize] {
            NONE => NONE - 1 - terminal,
            scope => scope,
        }
    }

    /// The site with the most of `terminals` (distinct), by [`Self::site_key`].
    fn busiest_site(&self, terminals: &[u32]) -> u32 {
        let mut sites: Vec<u32> = terminals.iter().map(|&t| self.site_key(t)).collect();
        sites.sort_unstable();
        let mut top = (NONE, 0usize);
        for run in sites.chunk_by(|a, b| a == b) {
            if run.len() > top.1 {
                top = (run[0], run.len());
            }
        }
        top.0
    }

    /// `terminal`'s host answered a payment at `ts` (with a card of issuer
    /// key `card`, 0 if none), after `latency_ms` if known: with its own
    /// malfunction if `malfunction`.
    pub fn host_answered(
        &mut self,
        terminal: u32,
        ts: Ts,
        card: u32,
        malfunction: bool,
        latency_ms: Option<f64>,
    ) {
        self.ensure(terminal);
        let host = self.member_of[terminal as usize][ScopeKind::Host as usize];
        // A down bank's cards are the bank's: neither for nor against the
        // host, now or as its past.
        if host != NONE && !(malfunction && self.issuer_failing(card)) {
            // A slow answer to a terminal inside another fault (its shop's
            // router, its carrier) is its link's slowness, not the host's.
            let latency_ms = latency_ms.filter(|_| {
                self.incident_of(terminal)
                    .is_none_or(|i| i.closed_at.is_some() || i.scope == host)
            });
            let held = self.scopes[host as usize].incident.is_some();
            let answers = self.host_answers.entry(host).or_default();
            answers.held = held;
            answers.answer(ts, terminal, card, malfunction, latency_ms);
        }
    }

    /// Whether the issuer of [`CardIssuer::key`] `card` is failing its cards
    /// now or has an open incident.
    fn issuer_failing(&self, card: u32) -> bool {
        card != 0
            && self.card_scopes.get(&card).is_some_and(|&s| {
                let sc = &self.scopes[s as usize];
                sc.failing > 0 || sc.incident.is_some()
            })
    }

    /// The open incident on a card's issuer.
    pub fn card_incident(&self, card: CardIssuer<'_>) -> Option<&Incident> {
        let s = *self.card_scopes.get(&card.key())?;
        let i = self.scopes[s as usize].incident?;
        Some(&self.incidents[i as usize]).filter(|i| !i.on_declines)
    }

    /// The issuer scope of `card`, made on its first card.
    fn card_scope(&mut self, card: CardIssuer<'_>) -> u32 {
        let n = self.scopes.len() as u32;
        let s = *self.card_scopes.entry(card.key()).or_insert(n);
        if s == n {
            self.scopes
                .push(Scope::new(ScopeKind::Issuer, &card.label()));
        }
        s
    }

    /// The open incident of BIN `bin`'s cards refused for one reason, if
    /// any.
    pub fn decline_incident(&self, bin: u32) -> Option<&Incident> {
        let s = *self.card_scopes.get(&CardIssuer::Bin(bin).key())?;
        let i = self.scopes[s as usize].incident?;
        Some(&self.incidents[i as usize]).filter(|i| i.on_declines)
    }

    /// A card of `bin` was answered on `terminal` at `ts`: approved, or
    /// refused by its bank for its own reasons with code `refused` (funds,
    /// expiry, an invalid card). One BIN's cards refused for one reason at
    /// many merchants' terminals, far more often than other BINs' are, are
    /// its bank's batch (expired, reissued, stopped): an incident of its
    /// own, holding no terminal (each still pays other cards).
    pub fn observe_card_answer(
        &mut self,
        terminal: u32,
        bin: u32,
        refused: Option<[u8; 2]>,
        mcc: u16,
        ts: Ts,
    ) {
        self.ensure(terminal);
        let member_of = &self.member_of;
        let merchant_of = |t: u32| {
            member_of
                .get(t as usize)
                .map_or(NONE, |m| m[ScopeKind::Merchant as usize])
        };
        match self
            .bin_declines
            .observe(terminal, bin, refused, mcc, ts, merchant_of)
        {
            Judged::Ordinary => {}
            Judged::Again => {
                if let Some(i) = self.decline_incident(bin).map(|i| i.index) {
                    self.incidents[i as usize].failed_at(ts);
                    self.join(i, terminal);
                }
            }
            Judged::Batch(who) => self.open_on_declines(bin, who, ts),
        }
    }

    fn open_on_declines(&mut self, bin: u32, who: Vec<(u32, Ts)>, ts: Ts) {
        let s = self.card_scope(CardIssuer::Bin(bin));
        if let Some(i) = self.scopes[s as usize].incident {
            // An outage of the BIN's holds its scope: the refusals are
            // news to nobody then.
            if !self.incidents[i as usize].on_declines {
                self.bin_declines.closed(bin);
                return;
            }
        }
        self.scopes[s as usize].fired_on = Failure::Account as u8;
        let inc = self.incident_of_scope(s, ts);
        let i = &mut self.incidents[inc as usize];
        i.on_declines = true;
        i.failed_at(ts);
        for (t, _) in who {
            self.join(inc, t);
        }
    }

    /// The open incident `terminal` belongs to now.
    pub fn incident_of(&self, terminal: u32) -> Option<&Incident> {
        let i = *self.incident_of.get(terminal as usize)?;
        (i != NONE).then(|| &self.incidents[i as usize])
    }

    /// Every open incident on one of `terminal`'s own scopes that it has
    /// joined, narrowest scope first: a terminal can sit in two faults at
    /// once (its carrier's outage and its host's), and which one an event
    /// belongs to is the event's to say.
    pub fn open_incidents_of(&self, terminal: u32) -> impl Iterator<Item = &Incident> {
        let scopes = self.member_of.get(terminal as usize);
        scopes.into_iter().flatten().filter_map(move |&s| {
            let i = self.scopes.get(s as usize)?.incident?;
            let inc = &self.incidents[i as usize];
            (inc.closed_at.is_none() && inc.terminals.contains(&terminal)).then_some(inc)
        })
    }

    /// Whether `n` signs on `signers` of scope `s`'s terminals are more than
    /// the rest of the fleet's rate of them explains ([`ScopeSigns::chance`]
    /// below [`SCOPE_SIGNS_CHANCE_MAX`]).
    fn signs_past_chance(
        &self,
        signs: &ScopeSigns,
        s: u32,
        n: u32,
        signers: usize,
        ts: Ts,
        busier: f64,
    ) -> bool {
        let members = self.scopes[s as usize].members.len().max(signers);
        signs.chance(n, members, self.last_seen.len(), ts, busier) < SCOPE_SIGNS_CHANCE_MAX
    }

    /// How a release's incident sits on the acquirer hosts (see
    /// [`HostSpread`]); `None` for other scopes, or too few members to say.
    /// Each host is judged by the share of the release's terminals on it
    /// that are members read as their software's: a refused version is all
    /// of them, and a member failing for its own reasons while the incident
    /// was open is not counted.
    pub fn release_host_spread(&self, inc: &Incident) -> Option<HostSpread> {
        if !inc.kind.relative() {
            return None;
        }
        let host_of = |t: u32| self.member_of[t as usize][ScopeKind::Host as usize];
        // Per host: (host scope, members on it, release terminals on it).
        let mut hosts: Vec<(u32, u32, u32)> = Vec::new();
        let mut tally = |h: u32, member: bool| {
            if h == NONE {
                return;
            }
            let i = match hosts.iter().position(|e| e.0 == h) {
                Some(i) => i,
                None => {
                    hosts.push((h, 0, 0));
                    hosts.len() - 1
                }
            };
            hosts[i].1 += u32::from(member);
            hosts[i].2 += 1;
        };
        for &t in &self.scopes[inc.scope as usize].members {
            tally(host_of(t), inc.reads_as_software(t));
        }
        let known: u32 = hosts.iter().map(|e| e.1).sum();
        if known < RELEASE_HOST_MEMBERS_MIN {
            return None;
        }
        let share = |e: &(u32, u32, u32)| f64::from(e.1) / f64::from(e.2.max(1));
        hosts.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let (top, on_top, there) = hosts[0];
        let top_share = share(&hosts[0]);
        let (rest_members, rest) = hosts[1..]
            .iter()
            .fold((0, 0), |(m, n), e| (m + e.1, n + e.2));
        if on_top >= RELEASE_HOST_MEMBERS_MIN
            && f64::from(on_top) >= RELEASE_HOST_FAILING_SHARE * f64::from(there)
            && rest >= RELEASE_ELSEWHERE_MIN
            && f64::from(rest_members) <= RELEASE_ELSEWHERE_SHARE_MAX * top_share * f64::from(rest)
        {
            return Some(HostSpread::OneHost {
                host: self.scopes[top as usize].key.to_string(),
            });
        }
        let alike = hosts
            .iter()
            .filter(|e| e.1 >= 2 && share(e) >= RELEASE_HOSTS_ALIKE_SHARE * top_share)
            .count() as u32;
        (alike >= 2).then_some(HostSpread::Hosts(alike))
    }

    /// The acquirer host `terminal` pays through, when another release's
    /// incident open by `horizon` (not `own`, the terminal's, and without
    /// it) has its members on that host (three in four at least, two at
    /// least) and they read, mostly, as the host's certificate: a host
    /// whose certificate chain the old trust stores of several releases
    /// lack refuses all their handshakes at once, and one release's words
    /// ("trust anchor") tell it for another release that says only
    /// "通讯失败" at its handshake.
    pub fn host_certificate_refused(
        &self,
        terminal: u32,
        own: Option<u32>,
        horizon: Ts,
    ) -> Option<&str> {
        let h = self.member_of.get(terminal as usize)?[ScopeKind::Host as usize];
        if h == NONE {
            return None;
        }
        let host = &*self.scopes[h as usize].key;
        self.open
            .iter()
            .map(|&o| &self.incidents[o as usize])
            .filter(|i| {
                i.kind.relative()
                    && i.closed_at.is_none()
                    && i.merged_into.is_none()
                    && Some(i.index) != own
                    && i.opened_at <= horizon
                    && i.cause().is_some_and(|(c, share)| {
                        c == Cause::SecurityCertificate && share >= HOST_CERTIFICATE_SHARE_MIN
                    })
                    && !i.terminals.contains(&terminal)
            })
            .any(|i| {
                let here = i
                    .terminals
                    .iter()
                    .filter(|&&t| self.member_of[t as usize][ScopeKind::Host as usize] == h)
                    .count();
                here >= 2
                    && here as f64 >= HOST_CERTIFICATE_MEMBERS_SHARE * i.terminals.len() as f64
            })
            .then_some(host)
    }

    /// Adds a diagnosed member's belief to its incident's ([`Incident::index`]).
    pub fn vote(&mut self, incident: u32, terminal: u32, posterior: &CauseVec) {
        if let Some(inc) = self.incidents.get_mut(incident as usize) {
            inc.ballot(terminal, posterior, 1);
        }
    }

    /// An event of `terminal` at `ts` was diagnosed as a person's doing:
    /// its cashier's slip or its customer's card.
    pub fn observe_human(&mut self, terminal: u32, ts: Ts) {
        self.ensure(terminal);
        keep_latest(&mut self.marks[terminal as usize].human_at, ts);
        for (slot, &at) in self.last_seen[terminal as usize].0.iter().enumerate() {
            if at == Some(ts) {
                self.marks[terminal as usize].human_slots |= 1 << slot;
            }
        }
    }

    /// An event of `terminal` at `ts` was diagnosed as its cashier's slip.
    /// A shop opens an incident of its cashiers when its slips in the last
    /// hour, on two terminals at least, are far more than the fleet's usual
    /// rate of slips explains for a shop its size: a new cashier, untrained,
    /// on every till.
    pub fn observe_operator(&mut self, terminal: u32, ts: Ts) {
        self.ensure(terminal);
        let s = self.member_of[terminal as usize][ScopeKind::Site as usize];
        if s != NONE
            && self
                .operator_slips
                .within(s, terminal, ts, OPERATOR_SLIP_EPISODE_S)
        {
            return;
        }
        if self.incident_of[terminal as usize] == NONE {
            self.operator_slips.note(ts);
        }
        if s == NONE {
            return;
        }
        let slips = self.operator_slips.push(s, terminal, ts);
        let n = slips.len() as u32;
        let mut who: Vec<u32> = slips.iter().map(|&(_, t)| t).collect();
        who.sort_unstable();
        who.dedup();
        // One terminal's slips with a chance one beside are its own
        // cashier's (or its own fault's), not the shop's.
        let most = who
            .iter()
            .map(|&t| slips.iter().filter(|&&(_, u)| u == t).count())
            .max()
            .unwrap_or(0) as f64;
        if let Some(i) = self.scopes[s as usize].incident {
            if self.incidents[i as usize].fired_on == Failure::Operator as u8 {
                self.incidents[i as usize].failed_at(ts);
                self.join(i, terminal);
            }
            return;
        }
        if who.len() < 2 || n < OPERATOR_SLIPS_MIN || most > OPERATOR_ONE_SHARE_MAX * f64::from(n) {
            return;
        }
        // A shop taking three times the fleet's payments per till makes
        // three times its slips, with no new cashier.
        let busier = {
            let (shop, _) = self.scopes[s as usize].payments.as_of(ts);
            let (fleet, _) = self.host_payments.as_of(ts);
            let members = self.scopes[s as usize].members.len().max(1) as f64;
            let terminals = self.last_seen.len().max(1) as f64;
            if fleet > 0.0 {
                (shop / members) / (fleet / terminals)
            } else {
                1.0
            }
        };
        if !self.signs_past_chance(&self.operator_slips, s, n, who.len(), ts, busier) {
            return;
        }
        self.open_on_refusals(s, Failure::Operator, who, ts);
    }

    /// [`Fleet::open_on_signs`] on signs past chance already: as many
    /// refusals of `class` as there are signers, settled.
    fn open_on_refusals(&mut self, s: u32, class: Failure, who: Vec<u32>, ts: Ts) -> Option<u32> {
        let v = Verdict::Refused {
            refused: who.len() as u32,
            class,
            settled: true,
        };
        self.open_on_signs(s, v, who, ts)
    }

    /// Opens (or resumes) scope `s`'s incident on what its members'
    /// diagnoses found, judged `v`, with `who` in it — unless the incident
    /// it resumes fired on other kinds than `v`'s.
    fn open_on_signs(&mut self, s: u32, v: Verdict, who: Vec<u32>, ts: Ts) -> Option<u32> {
        self.scopes[s as usize].judged(v, ts);
        let fired = self.scopes[s as usize].fired_on;
        let inc = self.incident_of_scope(s, ts);
        if self.incidents[inc as usize].fired_on & fired == 0 {
            return None;
        }
        self.incidents[inc as usize].failed_at(ts);
        for t in who {
            self.join(inc, t);
        }
        Some(inc)
    }

    /// An event of `terminal` at `ts` was diagnosed as its shop's router or
    /// mains failing. A shop failing now and then — a payment every few
    /// minutes, on one till then another — never has two failing in one
    /// window; over an hour, two of its terminals each read so twice, far
    /// more than the fleet's rate explains, are its shared fault.
    pub fn observe_site_link(&mut self, terminal: u32, ts: Ts) {
        self.ensure(terminal);
        let s = self.member_of[terminal as usize][ScopeKind::Site as usize];
        if s == NONE {
            return;
        }
        let Some((n, each)) = self.link_signs.take(s, terminal, ts) else {
            return;
        };
        if self.incident_of[terminal as usize] == NONE {
            self.link_signs.note(ts);
        }
        if each.len() < 2 || self.scopes[s as usize].incident.is_some() {
            return;
        }
        if !self.signs_past_chance(&self.link_signs, s, n, each.len(), ts, 1.0) {
            return;
        }
        self.open_on_signs(s, Verdict::Burst(each.len() as u32), each, ts);
    }

    /// An event of `terminal` at `ts` was diagnosed as its parameters
    /// (`software.config`). A merchant's shops share no router and no
    /// mains, only the parameters its head office pushes to every terminal:
    /// terminals in two of its shops each read so twice within the hour,
    /// far more than the fleet's rate explains, are a push gone wrong. Its
    /// incident fires on the links it fails (the host address), which a
    /// merchant's scope otherwise never counts: a chain's shops losing
    /// their links now and then are as many shops' faults.
    pub fn observe_merchant_config(&mut self, terminal: u32, ts: Ts) {
        self.ensure(terminal);
        let s = self.member_of[terminal as usize][ScopeKind::Merchant as usize];
        if s == NONE {
            return;
        }
        if let Some(i) = self.scopes[s as usize].incident {
            if self.incidents[i as usize].fired_on == Failure::Link as u8 {
                self.incidents[i as usize].failed_at(ts);
                self.join(i, terminal);
            }
            return;
        }
        let Some((n, each)) = self.merchant_config_signs.take(s, terminal, ts) else {
            return;
        };
        if self.incident_of[terminal as usize] == NONE {
            self.merchant_config_signs.note(ts);
        }
        if each.len() < 2
            || self.sites_spanned(&each) < ScopeKind::Merchant.min_sites()
            || !self.signs_past_chance(&self.merchant_config_signs, s, n, each.len(), ts, 1.0)
        {
            return;
        }
        self.open_on_refusals(s, Failure::Link, each, ts);
    }

    /// An event of `terminal` at `ts` was diagnosed as `cause`, one of
    /// [`SHARED_DEVICE_CAUSES`]. Printers jam one by one and apps run out
    /// of memory now and then; two of a shop's terminals each read so
    /// twice within the hour, far more than the fleet's rate of that cause
    /// explains, share it: their paper, their surroundings, what was
    /// installed on them. Three of a merchant's, in two shops at least,
    /// are the merchant's (what its head office pushed to every terminal),
    /// and its incident takes in the shops' incidents of it.
    pub fn observe_device(&mut self, terminal: u32, ts: Ts, cause: Cause) {
        let Some(k) = SHARED_DEVICE_CAUSES.iter().position(|&c| c == cause) else {
            return;
        };
        self.ensure(terminal);
        let free = self.incident_of[terminal as usize] == NONE;
        let site = self.member_of[terminal as usize][ScopeKind::Site as usize];
        let merchant = self.member_of[terminal as usize][ScopeKind::Merchant as usize];
        // Its shop's or merchant's open incident of this cause takes it in,
        // whether it holds the scope or a second fault there set it apart.
        for s in [merchant, site] {
            if s == NONE {
                continue;
            }
            let sc = &self.scopes[s as usize];
            if let Some(i) = [sc.incident, sc.apart].into_iter().flatten().find(|&i| {
                let inc = &self.incidents[i as usize];
                inc.device == Some(cause) && inc.closed_at.is_none()
            }) {
                self.incidents[i as usize].failed_at(ts);
                self.join(i, terminal);
                let _ = self.device_signs[k].take(s, terminal, ts);
                return;
            }
        }
        let mut noted = false;
        for (s, sites_min, signers_min) in
            [(merchant, 2, MERCHANT_DEVICE_SIGNERS_MIN), (site, 1, 2)]
        {
            if s == NONE {
                continue;
            }
            let Some((n, each)) = self.device_signs[k].take(s, terminal, ts) else {
                continue;
            };
            if free && !noted {
                self.device_signs[k].note(ts);
                noted = true;
            }
            if each.len() < signers_min
                || self.scopes[s as usize].incident.is_some()
                || (cause == RELEASE_MESSAGES_SEEN_AS
                    && each.iter().all(|&t| self.release_refused_messages_of(t)))
                || self.sites_spanned(&each) < sites_min
                || !self.signs_past_chance(&self.device_signs[k], s, n, each.len(), ts, 1.0)
            {
                continue;
            }
            let Some(inc) = self.open_on_refusals(s, Failure::Device, each, ts) else {
                return;
            };
            self.incidents[inc as usize].device = Some(cause);
            // A merchant's takes in its shops' of the same cause.
            let shops: Vec<u32> = self
                .open
                .iter()
                .copied()
                .filter(|&o| {
                    let i = &self.incidents[o as usize];
                    o != inc
                        && i.kind == ScopeKind::Site
                        && i.device == Some(cause)
                        && i.terminals
                            .iter()
                            .any(|&t| self.member_of[t as usize][ScopeKind::Merchant as usize] == s)
                })
                .collect();
            for o in shops {
                self.merge(o, inc, true, ts);
            }
            return;
        }
    }

    /// Whether `terminal`'s release (its model, app or firmware) has an
    /// incident open on its messages refused: replies that would not parse
    /// on its terminals are that release's bad messages, not their shop's
    /// cabling.
    fn release_refused_messages_of(&self, terminal: u32) -> bool {
        [ScopeKind::Model, ScopeKind::AppVersion, ScopeKind::Firmware]
            .iter()
            .any(|&kind| {
                let s = self.member_of[terminal as usize][kind as usize];
                s != NONE
                    && self.scopes[s as usize].incident.is_some_and(|i| {
                        self.incidents[i as usize].fired_on & Failure::Protocol as u8 != 0
                    })
            })
    }

    /// Whether any of `terminal`'s scopes of `kinds` has an incident open.
    fn any_scope_incident(&self, terminal: u32, kinds: &[ScopeKind]) -> bool {
        kinds.iter().any(|&kind| {
            let s = self.member_of[terminal as usize][kind as usize];
            s != NONE && self.scopes[s as usize].incident.is_some()
        })
    }

    /// An event of `terminal` at `ts` was diagnosed as a version its host
    /// no longer accepts. The host's refusal code may be one a merchant's
    /// set-up gives too (40, not permitted) while another merchant is
    /// refused with it all afternoon; two of a release's terminals, in two
    /// merchants at least, each read so twice within the hour, far more
    /// than the rest of the fleet, are the release's incident.
    pub fn observe_release_refused(&mut self, terminal: u32, ts: Ts) {
        self.ensure(terminal);
        let mut noted = false;
        // One release's incident: its app's or its firmware's, not both.
        let releases = [ScopeKind::AppVersion, ScopeKind::Firmware];
        let mut held = self.any_scope_incident(terminal, &releases);
        for kind in releases {
            let s = self.member_of[terminal as usize][kind as usize];
            if s == NONE {
                continue;
            }
            let Some((n, each)) = self.release_signs.take(s, terminal, ts) else {
                continue;
            };
            if !noted && self.incident_of[terminal as usize] == NONE {
                self.release_signs.note(ts);
                noted = true;
            }
            if held || each.len() < 2 || self.spanned(&each, ScopeKind::Merchant) < 2 {
                continue;
            }
            if !self.signs_past_chance(&self.release_signs, s, n, each.len(), ts, 1.0)
                || self.mostly_another_releases(s, &each, Failure::Protocol)
            {
                continue;
            }
            self.open_on_refusals(s, Failure::Protocol, each, ts);
            held = true;
        }
    }

    /// Whether most of `who`, the terminals whose signs would open release
    /// scope `s`'s incident, are members of another release's open
    /// incident of that kind of failure: a firmware whose refused terminals
    /// all run the app version already refused is that version's fault,
    /// seen from the firmware (no cascade).
    fn mostly_another_releases(&self, s: u32, who: &[u32], class: Failure) -> bool {
        let held = who
            .iter()
            .filter(|&&t| {
                let o = self.incident_of[t as usize];
                o != NONE && {
                    let i = &self.incidents[o as usize];
                    i.scope != s
                        && i.kind.relative()
                        && i.closed_at.is_none()
                        && i.fired_on & class as u8 != 0
                }
            })
            .count();
        2 * held > who.len()
    }

    /// An event of `terminal` at `ts` was diagnosed as its software's
    /// defect. A release that crashes now and then — one payment in fifty
    /// on each updated terminal — never has a fifth of its terminals failing
    /// in fifteen minutes; over an hour, more of its terminals crash than
    /// the fleet's rate of crashing terminals explains (by a chance below
    /// [`SCOPE_SIGNS_CHANCE_MAX`]), in two merchants at least: the
    /// release's incident. Terminals, not crashes: one terminal's own defect
    /// crashing it twenty times is no release's.
    pub fn observe_release_bug(&mut self, terminal: u32, ts: Ts) {
        self.ensure(terminal);
        // A crash on a terminal an incident holds is that incident's (its
        // model's defect): no sign of another release's.
        if self.incident_of[terminal as usize] != NONE {
            return;
        }
        self.release_bugs.note_terminal(terminal, ts);
        // One release's incident: its app's, its firmware's or its model's.
        let releases = [ScopeKind::AppVersion, ScopeKind::Firmware, ScopeKind::Model];
        // A release's incident on its messages refused (a version its host
        // stopped taking) is no word of a defect crashing it: news to it.
        let refused_only = |f: &Fleet, s: u32| {
            f.scopes[s as usize]
                .incident
                .is_some_and(|i| f.incidents[i as usize].other_kinds_are_news())
        };
        let mut held = releases.iter().any(|&kind| {
            let s = self.member_of[terminal as usize][kind as usize];
            s != NONE && self.scopes[s as usize].incident.is_some() && !refused_only(self, s)
        });
        for kind in releases {
            let s = self.member_of[terminal as usize][kind as usize];
            if s == NONE {
                continue;
            }
            self.release_bugs.push(s, terminal, ts);
            if held {
                continue;
            }
            let who = self.release_bugs.terminals(s);
            if (who.len() as u32) < RELEASE_BUG_TERMINALS_MIN
                || self.spanned(&who, ScopeKind::Merchant) < 2
                || self.sites_spanned(&who) < kind.min_sites()
            {
                continue;
            }
            // A model the whole fleet runs cannot stand out from the fleet.
            let members = self.scopes[s as usize].members.len().max(who.len());
            if (self.last_seen.len().saturating_sub(members) as u32) < OUTSIDE_HEARD_MIN {
                continue;
            }
            let k = who.len() as u32;
            if !self.signs_past_chance(&self.release_bugs, s, k, who.len(), ts, 1.0)
                || self.mostly_another_releases(s, &who, Failure::Device)
            {
                continue;
            }
            let v = Verdict::FailingOf {
                failing: k,
                class: Failure::Device,
            };
            // The refusals' incident lives on apart and takes them still.
            if refused_only(self, s) {
                let sc = &mut self.scopes[s as usize];
                sc.apart = sc.incident.take();
                sc.last_closed = None;
            }
            self.open_on_signs(s, v, who, ts);
            held = true;
        }
    }

    /// Terminal `terminal` was refused for `kind`'s reasons at `ts`, as a
    /// later finding says of a refusal already observed (as a card's).
    pub fn note_refused(&mut self, terminal: u32, ts: Ts, kind: Failure) {
        self.ensure(terminal);
        keep_latest(
            &mut self.marks[terminal as usize].last_refused[kind.slot()],
            ts,
        );
    }

    /// A refusal that the merchant's account, or the terminal's software,
    /// explains: recorded, then judged like any failure.
    /// `purchase` tells a retry of one purchase from another customer's.
    pub fn observe_refusal(&mut self, terminal: u32, ts: Ts, kind: Failure, purchase: Purchase) {
        self.ensure(terminal);
        self.marks[terminal as usize].last_refused[kind.slot()] = Some(ts);
        self.record(terminal, ts, Some(kind), Source::Payment(0), purchase);
    }

    /// A member's outcome: a failure of some kind, or a success (`None`);
    /// `source` says whence.
    pub fn observe(&mut self, terminal: u32, ts: Ts, failure: Option<Failure>, source: Source) {
        self.record(terminal, ts, failure, source, Purchase::default());
    }

    fn record(
        &mut self,
        terminal: u32,
        ts: Ts,
        failure: Option<Failure>,
        source: Source,
        purchase: Purchase,
    ) {
        self.ensure(terminal);
        let bits = failure.map_or(0, |f| f as u8);
        if source.payment() && (bits == 0 || bits & ScopeKind::Host.shares() != 0) {
            self.host_payments.add(ts, bits != 0);
        }
        let fresh = self.freshly_updated(terminal, ts);
        let scopes = self.member_of[terminal as usize];
        for &s in scopes.iter().filter(|&&s| s != NONE) {
            if bits != 0 && self.deaf(self.scopes[s as usize].kind, terminal, off_host(source)) {
                continue;
            }
            // A sag is its shop's mains' sign, no version's, carrier's or
            // merchant's failure.
            if source == Source::Sag && self.scopes[s as usize].kind != ScopeKind::Site {
                continue;
            }
            let source = match source {
                Source::Offline => self.scopes[s as usize].kind.hears_offline_as(fresh),
                source => source,
            };
            self.scopes[s as usize].push(Outcome {
                ts,
                terminal,
                failure: bits,
                source,
                purchase,
            });
        }
        if bits & ScopeKind::Host.shares() != 0 && !off_host(source) {
            keep_latest(&mut self.marks[terminal as usize].last_on_host, ts);
        }
        // The link failures a shop's or carrier's, and a release's, judging
        // counts: a report of it offline only where the scope does not hear
        // it as silence ([`ScopeKind::hears_offline_as`]).
        let counted_by = |kind: ScopeKind| {
            failure == Some(Failure::Link)
                && source != Source::Sag
                && (source != Source::Offline || kind.hears_offline_as(fresh) != Source::Silence)
        };
        if counted_by(ScopeKind::Site) {
            keep_latest(&mut self.marks[terminal as usize].last_loud_link, ts);
        }
        if counted_by(ScopeKind::AppVersion) {
            keep_latest(&mut self.marks[terminal as usize].last_release_link, ts);
        }
        let seen = &mut self.last_seen[terminal as usize];
        keep_latest(&mut seen.1, ts);
        if let Some(f) = failure.filter(|_| source != Source::Sag) {
            let slot = &mut seen.0[f.slot()];
            let before = *slot;
            keep_latest(slot, ts);
            if *slot != before {
                self.marks[terminal as usize].human_slots &= !(1 << f.slot());
            }
        }
        self.tick(ts);
        if let Some(failure) = failure {
            let heard = if source == Source::Sag {
                Heard::Sag
            } else if off_host(source) {
                Heard::OffHost
            } else {
                Heard::Loud
            };
            self.judge_terminal(terminal, ts, failure, heard);
        }
    }

    /// Whether a scope of `kind` takes no word of a failure of `terminal`'s
    /// (heard `off_host` if so): a host is on no heartbeat's way, nor on a
    /// shop's mains, nor in a management system's report; a carrier is not
    /// the weak air around a terminal whose radio reads poor.
    fn deaf(&self, kind: ScopeKind, terminal: u32, off_host: bool) -> bool {
        match kind {
            ScopeKind::Carrier => self.marks[terminal as usize].radio_weak,
            ScopeKind::Host => off_host,
            _ => false,
        }
    }

    /// Judges `terminal`'s scopes that share `failure`, one of its failures
    /// at `ts` (its silence, if `silent`: judged by its shop and carrier
    /// only): it joins an open incident, or opens one.
    fn judge_terminal(&mut self, terminal: u32, ts: Ts, failure: Failure, heard: Heard) {
        let silent = heard == Heard::Silence;
        let scopes = self.member_of[terminal as usize];
        let fleet_share = self.fleet_share(ts);
        // Judge this terminal's scopes; the broadest explanation wins.
        let mut best: Option<(u32, u32)> = None; // (scope, failing)
        let mut existing: Option<(u32, u32)> = None; // (incident, its scope's failing)
        let mut broader_pending = 0u32;
        let mut waiting: Vec<u32> = Vec::new();
        // The shop's and the carrier's scopes, firing long enough and with
        // no incident of their own.
        let mut place_firing: [Option<u32>; 2] = [None; 2];
        for &s in scopes.iter().filter(|&&s| s != NONE) {
            let kind = self.scopes[s as usize].kind;
            if kind.shares() & failure as u8 == 0
                || (silent && !matches!(kind, ScopeKind::Site | ScopeKind::Carrier))
                || (heard == Heard::Sag && kind != ScopeKind::Site)
                || self.deaf(kind, terminal, matches!(heard, Heard::OffHost | Heard::Sag))
            {
                continue;
            }
            // Refusals are few: each is judged (the second of a burst may
            // be the one that settles it). So is a shop's or merchant's
            // every failure: a second terminal failing a second after the
            // first is what fires it, and their rings are short.
            let due = matches!(failure, Failure::Account | Failure::Protocol)
                || matches!(kind, ScopeKind::Site | ScopeKind::Merchant)
                || self.scopes[s as usize]
                    .judged_at
                    .is_none_or(|j| ts.secs_since(j) >= EVAL_EVERY_S as f64);
            let verdict = due.then(|| self.verdict(s, ts, &fleet_share));
            let sc = &mut self.scopes[s as usize];
            if let Some(v) = verdict {
                sc.judged(v, ts);
            }
            // An incident that fired on refusals is joined by refusals
            // only: a version's protocol fault does not take in a member
            // whose screen is failing.
            if let Some(i) = sc.incident
                && self.incidents[i as usize].fired_on & kind.kin(failure) == 0
            {
                // Unless its host now fails on all it shares, or leaves
                // payments unanswered in a burst: a second fault, the
                // host's outage, not fifty shops'. The refusals' incident
                // lives on apart (closing once they stop) and the scope is
                // the outage's to open. So with a shop whose customers'
                // refusals opened its incident and whose router now fails.
                // So too with refusals of another kind: a merchant's
                // keys refused while its refund ban's incident is open.
                let first = &self.incidents[i as usize];
                // A shop failing on its refusals and a link or two is no
                // outage: most of its terminals must be failing on their
                // links alone.
                let outage = matches!(kind, ScopeKind::Host | ScopeKind::Site)
                    && matches!(verdict, Some(Verdict::Burst(_) | Verdict::Failing(_)))
                    && first.other_kinds_are_news()
                    && (kind != ScopeKind::Site || {
                        let from = ts.plus_secs(-kind.window_s());
                        let (marks, member_of) = (&self.marks, &self.member_of);
                        let air = |t: u32| Air::of(marks, member_of, t, ts);
                        let (failing, ok, _) = sc.judge_on(from, ts, Failure::Link as u8, &air);
                        failing >= kind.min_failing()
                            && f64::from(failing) >= FAILING_SHARE_MIN * f64::from(failing + ok)
                    });
                let other_refusals = matches!(
                    verdict,
                    Some(Verdict::Refused { class, .. })
                        if class as u8 & failure as u8 != 0 && first.fired_on & class as u8 == 0
                ) && first.other_kinds_are_news();
                // The fault set apart before, still open, whose kind this
                // failure is: its own incident, not a new one (three faults
                // at once on a merchant — its keys, its risk ban, its host —
                // would otherwise open one more incident at each turn).
                let back = sc.apart.filter(|&a| {
                    a != i
                        && self.incidents[a as usize].closed_at.is_none()
                        && self.incidents[a as usize].fired_on & kind.kin(failure) != 0
                });
                if !outage && !other_refusals {
                    if let Some(a) = back {
                        self.incidents[a as usize].failed_at(ts);
                        existing = Some((a, sc.failing));
                    }
                    continue;
                }
                sc.incident = back;
                sc.last_closed = None;
                sc.apart = Some(i);
            }
            // Refusals while a second fault holds the scope: the incident
            // set apart takes them.
            if let Some(a) = sc.apart
                && sc.incident != Some(a)
                && self.incidents[a as usize].closed_at.is_none()
                && self.incidents[a as usize].fired_on & failure as u8 != 0
            {
                self.incidents[a as usize].failed_at(ts);
                existing = Some((a, sc.failing));
                continue;
            }
            if let Some(i) = sc.incident {
                // Scopes come narrowest first: the last one seen is the
                // broadest open incident this terminal can belong to —
                // unless a narrower one was open well before it: a host
                // going down does not explain why a carrier or a release
                // was failing first.
                let opened = self.incidents[i as usize].opened_at;
                let older = existing.is_some_and(|(e, _)| {
                    opened.secs_since(self.incidents[e as usize].opened_at) > RELEASE_BEFORE_PLACE_S
                });
                if !older {
                    existing = Some((i, sc.failing));
                }
                // The incident lives while its scope keeps firing, not while
                // one member (a board the outage broke) keeps failing.
                if sc.failing > 0 {
                    self.incidents[i as usize].failed_at(ts);
                }
            }
            if sc.failing == 0 {
                continue;
            }
            let persisted = sc
                .firing_since
                .is_some_and(|f| ts.secs_since(f) >= PERSIST_S as f64)
                || sc.incident.is_some();
            // A later (broader) scope with as many failing terminals
            // explains at least as much.
            if persisted && sc.incident.is_none() {
                match kind {
                    ScopeKind::Site => place_firing[0] = Some(s),
                    ScopeKind::Carrier => place_firing[1] = Some(s),
                    _ => {}
                }
            }
            if best.is_none_or(|(_, f)| sc.failing > f) {
                if !persisted {
                    broader_pending = broader_pending.max(sc.failing);
                    if !sc.refusals_unsettled {
                        waiting.push(s);
                    }
                    continue;
                }
                best = Some((s, sc.failing));
            }
        }
        // Firing, not yet for long enough: judged again once it has been,
        // failure or not (a shop gone dark sends nothing more).
        for s in waiting {
            if !self.pending_open.iter().any(|p| p.0 == s) {
                self.pending_open.push((s, terminal, failure, heard));
            }
        }
        for place in place_firing.into_iter().flatten() {
            if let Some((i, _)) = existing
                && self.place_failing_under(place, i, ts)
                && !self.explained_elsewhere(place, ts)
                && !self.sags_only(place, ts)
            {
                let inc = self.incident_of_scope(place, ts);
                self.join(inc, terminal);
            }
        }
        let opens = match (best, existing) {
            (None, None) => return,
            // A fault already open on one of its scopes: the terminal is in
            // it, unless a broader scope now explains more terminals.
            (Some((s, f)), Some((i, held)))
                if self.scopes[s as usize].incident.is_none()
                    && self.scopes[s as usize].kind > self.incidents[i as usize].kind
                    && f > held =>
            {
                Some(s)
            }
            (_, Some((i, _))) => {
                self.join(i, terminal);
                return;
            }
            (Some((s, _)), None) => Some(s),
        };
        let Some(s) = opens else { return };
        if broader_pending > self.scopes[s as usize].failing {
            // A broader scope is firing and may yet take these terminals.
            return;
        }
        if self.explained_elsewhere(s, ts) || self.sags_only(s, ts) {
            return;
        }
        let inc = self.incident_of_scope(s, ts);
        self.join(inc, terminal);
    }

    /// Whether every failure of shop scope `s` lately is a sag one of its
    /// terminals rode out ([`Source::Sag`]): signs of its mains, not yet a
    /// fault.
    fn sags_only(&self, s: u32, ts: Ts) -> bool {
        let sc = &self.scopes[s as usize];
        if sc.kind != ScopeKind::Site {
            return false;
        }
        let from = ts.plus_secs(-sc.kind.window_s());
        let mut failures = sc.ring[..sc.len as usize]
            .iter()
            .filter(|o| o.failure != 0 && o.ts >= from && o.ts <= ts)
            .peekable();
        failures.peek().is_some() && failures.all(|o| o.source == Source::Sag)
    }

    /// Whether shop or carrier scope `s` has a fault of its own inside
    /// incident `i`, a broader one that holds its members: for a shop,
    /// power signs on two of them lately (no host, carrier or release cuts
    /// a shop's power); for either, two of them gone dark while `i` is
    /// neither a shop's nor a carrier's (no host, bank, merchant or release
    /// darkens a terminal's heartbeats; its router or its carrier does).
    fn place_failing_under(&self, s: u32, i: u32, ts: Ts) -> bool {
        let sc = &self.scopes[s as usize];
        let held_by = self.incidents[i as usize].kind;
        if !matches!(sc.kind, ScopeKind::Site | ScopeKind::Carrier)
            || matches!(held_by, ScopeKind::Site | ScopeKind::Carrier)
        {
            return false;
        }
        let from = ts.plus_secs(-WINDOW_S);
        let two =
            |sign: &dyn Fn(u32) -> bool| sc.members.iter().filter(|&&t| sign(t)).nth(1).is_some();
        (sc.kind == ScopeKind::Site && two(&|t| self.power_sign_in(t, from, ts)))
            || two(&|t| self.dark_sign_in(t, from, ts) && !self.power_sign_in(t, from, ts))
    }

    /// Scope `s`'s failing members now: whoever fired it, by either test.
    fn failing_now(&self, s: u32, ts: Ts) -> Vec<u32> {
        let kind = self.scopes[s as usize].kind;
        let mut failing = self
            .judge_members(s, ts, self.scopes[s as usize].counted_on)
            .2;
        if !kind.relative() {
            failing.extend(
                self.scopes[s as usize].failing_members(ts.plus_secs(-kind.window_s()), ts),
            );
            failing.sort_unstable();
            failing.dedup();
        }
        failing
    }

    /// Whether most of scope `s`'s failing members are another incident's
    /// already — one as broad or broader, of the failure `s` fires on, open
    /// or closed too lately to be over: the models and app versions a bad
    /// firmware runs on, the carriers and shops of a down host, fail because
    /// of it. Explained, they open nothing of their own (no cascade). A
    /// release's incident (model, app version, firmware) explains another
    /// release's members whatever way they fail: its terminals refused for
    /// their messages, then crashing, are one release's fault, not its
    /// firmware's second (on our outside sets, 31 fewer incidents and 169
    /// more fault events read right).
    ///
    /// An incident explains a member it holds, or held and still lists
    /// (its merchant's, once its crashing app took it in), whose failures
    /// lately are of the kinds the incident fired on, or mostly so: one
    /// offline report amid a dozen refusals for the account is a blip.
    ///
    /// Unless the members no incident explains fail on their own, by the
    /// fleet-relative test against the rest of the fleet outside incidents:
    /// a carrier's outage in a city during its host's is still the
    /// carrier's.
    fn explained_elsewhere(&self, s: u32, ts: Ts) -> bool {
        let sc = &self.scopes[s as usize];
        let (kind, fired_on) = (sc.kind, sc.fired_on);
        let share_failing = |scope: u32| {
            let (failing, ok, _) =
                self.judge_members(scope, ts, self.scopes[scope as usize].counted_on);
            f64::from(failing) / f64::from((failing + ok).max(1))
        };
        // Its own share, only if another version or model is to be weighed
        // against it, and then once.
        let own_share = std::cell::OnceCell::new();
        // A release's incident may explain a shop's terminal whatever way
        // it fails, as it does another release's (below).
        let release_and_shop = |i: &Incident| i.kind.relative() && kind == ScopeKind::Site;
        let claims = |inc: u32| {
            let i = &self.incidents[inc as usize];
            // A bank's incident lists the terminals its cards failed on
            // without claiming them. Versions and models cut across each
            // other: one explains another's members if more of its own
            // are failing.
            let releases = i.kind.relative() && kind.relative();
            i.scope != s
                && i.kind != ScopeKind::Issuer
                && (i.fired_on & fired_on != 0 || releases || release_and_shop(i))
                && (i.kind >= kind
                    || (releases
                        && share_failing(i.scope) >= *own_share.get_or_init(|| share_failing(s))))
        };
        let from = ts.plus_secs(-RELATIVE_WINDOW_S);
        // An incident explains a member whose every kind of failure lately
        // that fires this scope is one it fired on: a terminal that lost
        // its link in its carrier's outage and is refused for its
        // merchant's account is failing twice over.
        let failed_lately = |t: u32| -> u8 { self.failed_in(t, from, ts) & fired_on };
        // A bank's open incident explains a terminal whose every failure
        // here lately was a payment with one of the bank's cards.
        let banks: Vec<u32> = self
            .open
            .iter()
            .copied()
            .filter(|&i| self.incidents[i as usize].kind == ScopeKind::Issuer)
            .collect();
        let banks_card = |t: u32| {
            let ring = &self.scopes[s as usize].ring[..self.scopes[s as usize].len as usize];
            let mut failures = ring
                .iter()
                .filter(|o| o.terminal == t && o.failure != 0 && o.ts >= from && o.ts <= ts)
                .peekable();
            failures.peek().is_some()
                && failures.all(|o| match o.source {
                    Source::Payment(card) => self.card_scopes.get(&card).is_some_and(|&cs| {
                        self.scopes[cs as usize]
                            .incident
                            .is_some_and(|i| banks.contains(&i))
                    }),
                    _ => false,
                })
        };
        // The open incident holding a terminal, if any.
        let holding = |t: u32| {
            let open = self.incident_of[t as usize];
            (open != NONE).then(|| &self.incidents[open as usize])
        };
        // One terminal's mains or link failing is its own (its adapter, its
        // battery run flat); two of a shop's, its shop's. A terminal gone
        // dark in its carrier's outage is the carrier's sign, not the
        // shop's.
        let place_signs = kind == ScopeKind::Site
            && sc
                .members
                .iter()
                .filter(|&&t| {
                    self.power_sign_in(t, from, ts)
                        || (self.dark_sign_in(t, from, ts)
                            && holding(t).is_none_or(|i| i.kind != ScopeKind::Carrier))
                })
                .nth(1)
                .is_some();
        let claimed = |t: u32| {
            // No host, carrier, version or merchant cuts a shop's mains: a
            // member showing power signs lately, beside another showing
            // power or dark signs, fails for its shop, whatever else is
            // down.
            // Nor does any but a carrier darken its link, nor any but its
            // shop (its power, its router) or carrier a cellular member's.
            let open = self.incident_of[t as usize];
            let held_by = holding(t).map(|i| i.kind);
            let dark = || {
                self.dark_sign_in(t, from, ts)
                    && held_by != Some(ScopeKind::Carrier)
                    && (kind == ScopeKind::Site || held_by != Some(ScopeKind::Site))
            };
            let power = || self.power_sign_in(t, from, ts);
            if (kind == ScopeKind::Site && place_signs && (power() || dark()))
                || (kind == ScopeKind::Carrier && dark() && !power())
            {
                return false;
            }
            // ...and the other way round: its shop's incident explains it to
            // them.
            if kind != ScopeKind::Site
                && open != NONE
                && self.incidents[open as usize].kind == ScopeKind::Site
                && (self.power_sign_in(t, from, ts) || self.dark_sign_in(t, from, ts))
            {
                return true;
            }
            let bits = failed_lately(t);
            // A release's terminals failing in any way are its own: one
            // defect crashes the app on one vendor's terminals and has its
            // messages refused on another's. So are its terminals in a
            // shop, while their diagnoses in its incident read on the whole
            // as their software's: two of a small shop's terminals failing
            // at once on one release's defect are no fault of the shop's
            // (its router failing them reads as the router).
            let explains = |inc: u32| {
                let i = &self.incidents[inc as usize];
                claims(inc)
                    && (bits & !i.fired_on == 0
                        || (i.kind.relative() && kind.relative())
                        || (release_and_shop(i) && i.reads_as_software(t))
                        || self.scopes[s as usize].mostly_of(t, i.fired_on, from, ts))
            };
            // The open incident of another scope of its that it joined (its
            // merchant's, before its failing app took it in) explains it as
            // well as the one holding it now.
            let of_its_scopes = || {
                self.member_of[t as usize].iter().any(|&m| {
                    m != NONE
                        && m != s
                        && self.scopes[m as usize].incident.is_some_and(|i| {
                            i != open
                                && self.incidents[i as usize].terminals.contains(&t)
                                && explains(i)
                        })
                })
            };
            (open != NONE && explains(open))
                || of_its_scopes()
                || self.closing.iter().any(|&(inc, _)| {
                    explains(inc) && self.incidents[inc as usize].terminals.contains(&t)
                })
                || (!banks.is_empty() && banks_card(t))
        };
        let failing = self.failing_now(s, ts);
        let (mut rest, mut explained): (Vec<u32>, Vec<u32>) =
            failing.iter().partition(|&&t| !claimed(t));
        if failing.is_empty() || 2 * explained.len() < failing.len() {
            return false;
        }
        // A failing member whose scope of the explaining incident's kind is
        // unknown (its vendor reports no host), failing only as that
        // incident's members do, is presumed one of them: a shop whose six
        // terminals are in their host's outage and whose seventh, of
        // unknown host, fails alike is not failing as a shop.
        let holders: Vec<u32> = {
            let mut v: Vec<u32> = explained
                .iter()
                .map(|&t| self.incident_of[t as usize])
                .filter(|&i| i != NONE)
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        rest.retain(|&t| {
            let bits = failed_lately(t);
            let presumed = self.incident_of[t as usize] == NONE
                && bits != 0
                && holders.iter().any(|&h| {
                    let i = &self.incidents[h as usize];
                    i.kind != ScopeKind::Issuer
                        && self.member_of[t as usize][i.kind as usize] == NONE
                        && bits & !i.fired_on == 0
                });
            if presumed {
                explained.push(t);
            }
            !presumed
        });
        // Members heard from lately that no incident explains: the
        // failing ones already sorted out, the others checked cheapest
        // first.
        let heard = self.scopes[s as usize]
            .members
            .iter()
            .filter(|&&t| {
                rest.contains(&t)
                    || (!explained.contains(&t)
                        && self.last_seen[t as usize]
                            .1
                            .is_some_and(|h| h >= from && h <= ts)
                        && !claimed(t))
            })
            .count() as u32;
        let failing_alone = rest.len() as u32;
        let own = f64::from(failing_alone) / f64::from(heard.max(1));
        // A shop (a merchant) whose terminals outside the incident are
        // failing too (most of them) is failing as one. One will do when
        // the shop shows power or dark signs of its own, or when its
        // others are held by their carrier's outage, which cannot reach a
        // wired terminal, and the lone one fails as they do in a way no
        // incident of its explains (its router, gone amid the outage). A
        // terminal losing its link while the rest of its shop is in its
        // host's outage, or refused for its merchant's account, is failing
        // on its own.
        let lone_is_the_shop = || {
            let beside_carriers = || {
                holders
                    .iter()
                    .any(|&h| self.incidents[h as usize].kind == ScopeKind::Carrier)
            };
            let fails_as_they_do = || {
                let explained_bits = explained.iter().fold(0, |b, &t| b | failed_lately(t));
                rest.iter().any(|&t| {
                    let its_own = holding(t)
                        .filter(|i| i.scope != s)
                        .map_or(0, |i| i.fired_on);
                    failed_lately(t) & !its_own & explained_bits != 0
                })
            };
            place_signs || (beside_carriers() && fails_as_they_do())
        };
        let enough_alone = failing_alone >= kind.min_failing()
            || (matches!(kind, ScopeKind::Site | ScopeKind::Merchant)
                && failing_alone == 1
                && lone_is_the_shop());
        let outright = !kind.relative() && enough_alone && own >= FAILING_SHARE_MIN;
        // Else the fleet-relative test (the fleet outside incidents is
        // counted only when the cheap bounds pass).
        let relative = || {
            if failing_alone < kind.min_failing() || own < RELATIVE_SHARE_MIN {
                return false;
            }
            let share = self
                .failing_shares(ts, |t| self.incident_of[t] == NONE)
                .any_share();
            own >= RELATIVE_FACTOR * share
                && binomial_tail(heard, failing_alone, share.max(0.01)) < RELATIVE_CHANCE_MAX
                && self.sites_spanned(&rest) >= kind.min_sites()
        };
        !(outright || relative())
    }

    /// The failing shares of the fleet outside incidents over
    /// [`RELATIVE_WINDOW_S`], recomputed at most every [`EVAL_EVERY_S`]
    /// (as [`Fleet::fleet_share`] is for the whole fleet).
    fn outside_share(&self, ts: Ts) -> FleetShares {
        match self.outside_share.get() {
            Some((at, shares)) if at <= ts && ts.secs_since(at) < EVAL_EVERY_S as f64 => shares,
            _ => {
                let shares = self.failing_shares(ts, |t| self.incident_of[t] == NONE);
                self.outside_share.set(Some((ts, shares)));
                shares
            }
        }
    }

    /// Whether `refused` of release scope `s`'s terminals refused for their
    /// messages over [`RELATIVE_WINDOW_S`] are past what the fleet outside
    /// it and outside incidents explains: a fleet refuses a few terminals'
    /// messages on any day (a line damaging them, a cashier's retry sent
    /// twice), so two of a release on a hundred terminals are chance, two
    /// of one on eight are not.
    fn protocol_refusals_past_chance(&self, s: u32, ts: Ts, refused: &[u32]) -> bool {
        let from = ts.plus_secs(-RELATIVE_WINDOW_S);
        let heard = |t: u32| {
            self.last_seen[t as usize]
                .1
                .is_some_and(|h| h >= from && h <= ts)
        };
        let shares = self.outside_share(ts);
        let past_chance = |among: &dyn Fn(u32) -> bool| {
            let k = refused.iter().filter(|&&t| among(t)).count() as u32;
            let n = self.scopes[s as usize]
                .members
                .iter()
                .filter(|&&t| among(t) && heard(t))
                .count() as u32;
            let n = n.max(k);
            // The fleet outside: too few terminals there to tell say
            // nothing beyond the least share.
            let rest = shares.heard.saturating_sub(n);
            let outside = if rest < OUTSIDE_HEARD_MIN {
                0.0
            } else {
                f64::from(shares.of[Failure::Protocol.slot()].saturating_sub(k)) / f64::from(rest)
            };
            let p = outside.max(PROTOCOL_REFUSED_SHARE_MIN);
            k >= 2 && binomial_tail(n, k, p) < PROTOCOL_REFUSED_CHANCE_MAX
        };
        // The release as a whole, or its terminals on one host: a host
        // that stopped taking a version refuses it there only.
        let host_of = |t: u32| self.member_of[t as usize][ScopeKind::Host as usize];
        if past_chance(&|_| true) {
            return true;
        }
        // Each host once, however many of its terminals were refused.
        let mut hosts: Vec<u32> = refused
            .iter()
            .map(|&r| host_of(r))
            .filter(|&h| h != NONE)
            .collect();
        hosts.sort_unstable();
        hosts.dedup();
        hosts.into_iter().any(|h| past_chance(&|t| host_of(t) == h))
    }

    /// The kinds of failure (bits of [`Failure`]) `terminal` had last in
    /// `[from, to]`.
    fn failed_in(&self, terminal: u32, from: Ts, to: Ts) -> u8 {
        let fails = &self.last_seen[terminal as usize].0;
        [
            Failure::Link,
            Failure::Protocol,
            Failure::Account,
            Failure::Device,
            Failure::Expired,
            Failure::Keys,
            Failure::Operator,
        ]
        .into_iter()
        .filter(|f| fails[f.slot()].is_some_and(|at| at >= from && at <= to))
        .fold(0, |bits, f| bits | f as u8)
    }

    /// The terminals `counted` (by engine index) heard from over
    /// [`RELATIVE_WINDOW_S`], and those that failed there, at all and in
    /// each kind: the whole fleet, or the fleet outside incidents (the rest
    /// a scope some of whose members an incident explains is judged
    /// against).
    fn failing_shares(&self, ts: Ts, counted: impl Fn(usize) -> bool) -> FleetShares {
        let from = ts.plus_secs(-RELATIVE_WINDOW_S);
        let mut shares = FleetShares::default();
        for (t, (fails, seen)) in self.last_seen.iter().enumerate() {
            if seen.is_some_and(|h| h >= from) && counted(t) {
                shares.heard += 1;
                let mut any = false;
                for (n, f) in shares.of.iter_mut().zip(fails) {
                    if f.is_some_and(|f| f >= from) {
                        *n += 1;
                        any = true;
                    }
                }
                shares.any += u32::from(any);
            }
        }
        shares
    }

    /// Scope `s`'s open incident; else the one it closed lately, resumed
    /// (the same scope failing again soon after: the fault was not over);
    /// else a new one.
    fn incident_of_scope(&mut self, s: u32, ts: Ts) -> u32 {
        let sc = &self.scopes[s as usize];
        // Refusals again, with the incident a second fault set apart still
        // open: theirs.
        if sc.incident.is_none()
            && let Some(a) = sc.apart
            && self.incidents[a as usize].closed_at.is_none()
            && sc.fired_on & !REFUSAL_KINDS == 0
            && self.incidents[a as usize].fired_on & sc.fired_on != 0
        {
            self.scopes[s as usize].incident = Some(a);
            return a;
        }
        match (sc.incident, sc.last_closed) {
            (Some(i), _) => i,
            (None, Some((i, at)))
                if (ts.secs_since(at) < self.incidents[i as usize].reopen_hold_s() as f64
                    || self.dark_since_closed(i, at, ts))
                    && self.incidents[i as usize].fired_on & sc.fired_on != 0 =>
            {
                self.reopen(s, i, ts)
            }
            (None, _) => self.open_incident(s, ts),
        }
    }

    /// Whether every member of incident `inc`, closed at `closed`, went
    /// dark about then and is heard from again only now (`ts`): a shop's
    /// outage looked over while its terminals were still up between the
    /// sags, then lasting with them dark, nobody paying to say so. The
    /// fault never ended; its incident goes on.
    fn dark_since_closed(&self, inc: u32, closed: Ts, ts: Ts) -> bool {
        let members = &self.incidents[inc as usize].terminals;
        members.len() >= 2
            && members.iter().all(|&t| {
                self.beats[t as usize].dark.is_some_and(|(from, to)| {
                    from.secs_since(closed) <= DARK_AFTER_CLOSE_S
                        && ts.secs_since(to) <= DARK_BACK_S
                        && to.secs_since(from) <= DARK_RESUMES_MAX_S
                })
            })
    }

    fn open_incident(&mut self, scope: u32, ts: Ts) -> u32 {
        let mut failing = self.failing_now(scope, ts);
        let sc = &self.scopes[scope as usize];
        let (kind, key) = (sc.kind, sc.key.to_string());
        // A scope fired on its failure rate fired on every kind it shares;
        // its incident, on the refusals its failing terminals had then
        // beside their links and devices. A host failing to answer is no
        // reason for a merchant's MACs refused an hour on.
        let mut fired_on = sc.fired_on;
        if fired_on.count_ones() > 1 {
            let from = ts.plus_secs(-RELATIVE_WINDOW_S);
            let refused_then = failing.iter().fold(0u8, |bits, &t| {
                bits | self.failed_in(t, from, ts) & REFUSAL_KINDS
            });
            fired_on &= !REFUSAL_KINDS | refused_then;
        }
        // Fired on refusals alone (a host's keys, a merchant's account): its
        // members are the terminals so refused, not every member whose
        // link failed meanwhile (a shop's router, the host's own outage).
        // So with a shop's or merchant's devices: the terminals whose
        // devices failed.
        if fired_on & !REFUSAL_KINDS == 0 || (fired_on == Failure::Device as u8 && !kind.relative())
        {
            let from = ts.plus_secs(-RELATIVE_WINDOW_S);
            failing.retain(|&t| self.failed_in(t, from, ts) & fired_on != 0);
        }
        // The same fault seen first from closer (a merchant's account at one
        // of its shops, a release at its app version): that incident,
        // widened to this scope, rather than a second one taking it in. To
        // whoever reads the incidents it is one, open since then.
        let widened = kind
            .widens()
            .then(|| self.covered_by(None, scope, fired_on, ts))
            .into_iter()
            .flatten()
            .filter(|&o| kind.same_fault_as(self.incidents[o as usize].kind))
            .min_by_key(|&o| (self.incidents[o as usize].opened_at, o));
        let i = match widened {
            Some(o) => {
                self.widen(o, scope, fired_on);
                o
            }
            None => self.push_incident(scope, kind, key, fired_on, ts),
        };
        // Whichever test fired, its failing terminals are members from the
        // start.
        for t in failing {
            self.join(i, t);
        }
        self.fold_in(i, scope, ts);
        if kind == ScopeKind::Issuer && !is_bin_label(&self.incidents[i as usize].key) {
            self.take_in_bins(i, ts);
        }
        i
    }

    /// A new incident of `scope`, open from `ts`, with no members yet.
    fn push_incident(
        &mut self,
        scope: u32,
        kind: ScopeKind,
        key: String,
        fired_on: u8,
        ts: Ts,
    ) -> u32 {
        let i = self.incidents.len() as u32;
        self.scopes[scope as usize].incident = Some(i);
        self.incidents.push(Incident {
            id: format!("INC-{:04}", i + 1),
            index: i,
            kind,
            key,
            opened_at: ts,
            closed_at: None,
            terminals: Vec::new(),
            last_failure: ts,
            votes: [0.0; Cause::COUNT],
            ballots: Ballots::default(),
            merged_into: None,
            scope,
            fired_on,
            all_on_radio: true,
            on_declines: false,
            device: None,
        });
        self.open.push(i);
        self.changes.push(IncidentChange::Opened(i));
        i
    }

    /// Open incident `o` becomes `scope`'s, which fired on `fired_on`: its
    /// narrower scope lets it go (nothing there to resume: the fault lives
    /// on in the broader one).
    fn widen(&mut self, o: u32, scope: u32, fired_on: u8) {
        let narrower = self.incidents[o as usize].scope;
        if self.scopes[narrower as usize].incident == Some(o) {
            self.scopes[narrower as usize].incident_closed(None);
        }
        let sc = &mut self.scopes[scope as usize];
        sc.incident = Some(o);
        let inc = &mut self.incidents[o as usize];
        inc.kind = sc.kind;
        inc.key = sc.key.to_string();
        inc.scope = scope;
        inc.fired_on = fired_on;
        self.changes.push(IncidentChange::Joined(o));
    }

    /// A known bank's incident opening takes in the incidents of BINs the
    /// knowledge base does not know that opened shortly before: the same
    /// bank's cards, failing from the same minutes.
    fn take_in_bins(&mut self, i: u32, ts: Ts) {
        let bins: Vec<u32> = self
            .open
            .iter()
            .copied()
            .filter(|&o| {
                let inc = &self.incidents[o as usize];
                o != i
                    && inc.kind == ScopeKind::Issuer
                    && !inc.on_declines
                    && is_bin_label(&inc.key)
                    && ts.secs_since(inc.opened_at) <= SAME_ONSET_BEFORE_S
            })
            .collect();
        for o in bins {
            let scope = self.incidents[o as usize].scope;
            // The bank's outage was seen from when its BIN's was.
            self.merge(o, i, true, ts);
            // The BIN's cards are the bank's from now on.
            self.scopes[scope as usize].incident = Some(i);
        }
    }

    /// Narrower open incidents whose members all share `scope` are the same
    /// fault seen from closer: folds them into incident `i`.
    fn fold_in(&mut self, i: u32, scope: u32, ts: Ts) {
        let kind = self.scopes[scope as usize].kind;
        let fired_on = self.incidents[i as usize].fired_on;
        for o in self.covered_by(Some(i), scope, fired_on, ts) {
            let same_fault = kind.same_fault_as(self.incidents[o as usize].kind);
            self.merge(o, i, same_fault, ts);
        }
    }

    /// The open incidents but `i` that `scope`, firing on `fired_on`,
    /// covers: narrower ones whose members are all its own, failing a way
    /// it shares, that no test below sets apart.
    fn covered_by(&self, i: Option<u32>, scope: u32, fired_on: u8, ts: Ts) -> Vec<u32> {
        let kind = self.scopes[scope as usize].kind;
        if kind == ScopeKind::Issuer {
            // Not a broader place: a bank's customers are everywhere.
            return Vec::new();
        }
        self.open
            .iter()
            .copied()
            .filter(|&o| Some(o) != i && self.incidents[o as usize].kind < kind)
            // A merchant's frozen account is not the host's outage, nor a
            // shop's router its host's keys changed.
            .filter(|&o| {
                let inc = &self.incidents[o as usize];
                // A shop's replies that would not parse, all on one release
                // whose messages its host refuses, are the release's bad
                // messages seen from one shop.
                let garbled = if kind.relative() && inc.device == Some(RELEASE_MESSAGES_SEEN_AS) {
                    Failure::Protocol as u8
                } else {
                    0
                };
                (inc.fired_on | garbled) & kind.shares() & fired_on != 0
            })
            // A shop whose members lost their mains is the shop's power,
            // whatever else is down.
            .filter(|&o| {
                let inc = &self.incidents[o as usize];
                kind == ScopeKind::Merchant || inc.kind != ScopeKind::Site || {
                    let (signed, members) = self.power_signs(inc);
                    2 * signed < members
                }
            })
            // Nor does any but a carrier darken a carrier's terminals'
            // heartbeats: a carrier whose members went dark is its own
            // outage, whatever host they pay through.
            .filter(|&o| {
                let inc = &self.incidents[o as usize];
                inc.kind != ScopeKind::Carrier || {
                    let from = ts.plus_secs(-RELATIVE_WINDOW_S);
                    let dark = inc
                        .terminals
                        .iter()
                        .filter(|&&t| self.dark_sign_in(t, from, ts))
                        .count();
                    2 * dark < inc.terminals.len()
                }
            })
            // An incident open well before this one fired is a fault of its
            // own: a host that stops answering later does not explain why
            // a release or a carrier failed first.
            .filter(|&o| {
                let inc = &self.incidents[o as usize];
                kind.relative()
                    || !inc.kind.relative()
                    || ts.secs_since(inc.opened_at) <= RELEASE_BEFORE_PLACE_S
            })
            .filter(|&o| {
                self.incidents[o as usize]
                    .terminals
                    .iter()
                    .all(|&t| self.member_of[t as usize][kind as usize] == scope)
            })
            .collect()
    }

    /// Folds open incident `o` into `into`: its members and their votes
    /// join it, and it closes as merged. With `seen_since`, `into` counts
    /// as open since `o` opened (the same fault, first seen as `o`).
    fn merge(&mut self, o: u32, into: u32, seen_since: bool, ts: Ts) {
        let members = std::mem::take(&mut self.incidents[o as usize].terminals);
        let ballots = std::mem::take(&mut self.incidents[o as usize].ballots);
        if seen_since {
            let since = self.incidents[o as usize].opened_at;
            let opened = &mut self.incidents[into as usize].opened_at;
            *opened = (*opened).min(since);
        }
        for &t in &members {
            self.join(into, t);
        }
        for (t, (sum, n)) in ballots.iter() {
            self.incidents[into as usize].ballot(t, sum, *n);
        }
        let merged = &mut self.incidents[o as usize];
        merged.ballots = ballots;
        merged.terminals = members;
        merged.merged_into = Some(into);
        self.close(o, ts);
    }

    fn reopen(&mut self, scope: u32, inc: u32, ts: Ts) -> u32 {
        let sc = &mut self.scopes[scope as usize];
        sc.incident = Some(inc);
        sc.last_closed = None;
        if self.incidents[inc as usize].closed_at.is_none() {
            // Resumed already, by a BIN taken in as its bank's.
            return inc;
        }
        self.incidents[inc as usize].closed_at = None;
        self.incidents[inc as usize].failed_at(ts);
        self.open.push(inc);
        let claims = self.incidents[inc as usize].kind != ScopeKind::Issuer;
        for t in self.incidents[inc as usize].terminals.clone() {
            if claims && self.incident_of[t as usize] == NONE {
                self.incident_of[t as usize] = inc;
            }
        }
        // Its closing was never announced: to whoever reads the changes it
        // goes on.
        self.closing.retain(|c| c.0 != inc);
        self.changes.push(IncidentChange::Joined(inc));
        self.fold_in(inc, scope, ts);
        inc
    }

    fn join(&mut self, inc: u32, terminal: u32) {
        if self.incident_of[terminal as usize] == inc {
            return;
        }
        let on_radio = self.member_of[terminal as usize][ScopeKind::Carrier as usize] != NONE;
        let i = &mut self.incidents[inc as usize];
        if !i.terminals.contains(&terminal) {
            i.terminals.push(terminal);
            i.all_on_radio &= on_radio;
            self.changes.push(IncidentChange::Joined(inc));
        }
        // A bank's outage fails the cards, not the terminal: its other
        // failures stay its own or its shop's.
        if i.kind != ScopeKind::Issuer {
            self.incident_of[terminal as usize] = inc;
        }
    }

    fn close(&mut self, inc: u32, ts: Ts) {
        let i = &mut self.incidents[inc as usize];
        if i.closed_at.is_some() {
            return;
        }
        if i.on_declines
            && let Ok(bin) = i.key.parse::<u32>()
        {
            self.bin_declines.closed(bin);
        }
        let i = &mut self.incidents[inc as usize];
        if i.kind == ScopeKind::Issuer {
            // BINs taken in as the bank's: theirs closes with it.
            let own = i.scope;
            for &s in self.card_scopes.values().filter(|&&s| s != own) {
                let sc = &mut self.scopes[s as usize];
                if sc.incident == Some(inc) {
                    sc.incident_closed(Some((inc, ts)));
                }
            }
        }
        let i = &mut self.incidents[inc as usize];
        i.closed_at = Some(ts);
        let scope = i.scope;
        let merged = i.merged_into;
        for t in i.terminals.clone() {
            if self.incident_of[t as usize] == inc {
                self.incident_of[t as usize] = merged.unwrap_or(NONE);
            }
        }
        self.open.retain(|&o| o != inc);
        // A merged incident lives on in the broader one: nothing to resume.
        // (A refusals' incident its host's outage set apart no longer holds
        // the scope.)
        if self.scopes[scope as usize].incident == Some(inc) {
            self.scopes[scope as usize].incident_closed(merged.is_none().then_some((inc, ts)));
        }
        if merged.is_some() {
            self.changes.push(IncidentChange::Closed(inc));
        } else {
            // Told once it can no longer resume: an incident announced
            // closed must not come back (no flapping).
            let hold = self.incidents[inc as usize].reopen_hold_s();
            self.closing.push((inc, ts.plus_secs(hold)));
        }
    }

    /// Announces the incidents closed by `ts` that can no longer resume
    /// (all of them, if `ts` is `None`: the records ended).
    pub fn announce_closed(&mut self, ts: Option<Ts>) {
        let incidents = &self.incidents;
        let changes = &mut self.changes;
        self.closing.retain(|&(inc, at)| {
            if ts.is_some_and(|ts| ts < at) {
                return true;
            }
            if incidents[inc as usize].closed_at.is_some() {
                changes.push(IncidentChange::Closed(inc));
            }
            false
        });
    }

    /// Closes incidents whose members have been quiet long enough.
    pub fn tick(&mut self, ts: Ts) {
        self.tell_silences(ts);
        self.open_pending(ts);
        if self.ticked_at.is_some_and(|t| ts.secs_since(t) < 30.0) {
            return;
        }
        self.ticked_at = Some(ts);
        self.announce_closed(Some(ts));
        let quiet: Vec<u32> = self
            .open
            .iter()
            .copied()
            .filter(|&i| {
                let inc = &self.incidents[i as usize];
                ts.secs_since(inc.last_failure) >= inc.close_quiet_s() as f64
            })
            .collect();
        for i in quiet {
            let inc = &self.incidents[i as usize];
            let at = inc.last_failure.plus_secs(inc.close_quiet_s());
            self.close(i, at.min(ts));
        }
    }
}

impl Fleet {
    /// Judges again the scopes that have been firing for [`PERSIST_S`]
    /// by now, and forgets those that stopped or opened meanwhile.
    fn open_pending(&mut self, ts: Ts) {
        let settled = |sc: &Scope| {
            sc.incident.is_some()
                || sc
                    .firing_since
                    .is_none_or(|f| ts.secs_since(f) >= PERSIST_S as f64)
        };
        if !self
            .pending_open
            .iter()
            .any(|p| settled(&self.scopes[p.0 as usize]))
        {
            return;
        }
        for (s, terminal, failure, heard) in std::mem::take(&mut self.pending_open) {
            let sc = &self.scopes[s as usize];
            if sc.incident.is_some() || sc.firing_since.is_none() {
                continue;
            }
            if settled(sc) {
                self.judge_terminal(terminal, ts, failure, heard);
            } else {
                self.pending_open.push((s, terminal, failure, heard));
            }
        }
    }
}

/// Whether an issuer scope's key is a bare BIN (six digits) rather than a
/// bank the knowledge base knows ([`CardIssuer::label`]).
fn is_bin_label(key: &str) -> bool {
    key.len() == 6 && key.bytes().all(|b| b.is_ascii_digit())
}

/// Who a payment was for, as far as a refusal can tell: its amount, type and
/// masked card. A retry of one purchase has the same key; two customers'
/// purchases almost never do. Never 0 (0 is no purchase).
pub fn purchase_key(amount: i64, txn_type: &str, card: Option<&str>) -> u32 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    (amount, txn_type, card).hash(&mut h);
    (h.finish() as u32) | 1
}

/// P(X ≥ k) for X ~ Binomial(n, p), summed in log space from k up.
pub(crate) fn binomial_tail(n: u32, k: u32, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n || p <= 0.0 {
        return 0.0;
    }
    let (lp, lq) = (p.ln(), (1.0 - p).ln());
    // ln C(n, k) by summing logs: n stays in the hundreds.
    let mut ln_c: f64 = (1..=k).map(|i| ((n - k + i) as f64 / i as f64).ln()).sum();
    let mut total = 0.0;
    for x in k..=n {
        total += (ln_c + x as f64 * lp + (n - x) as f64 * lq).exp();
        if x < n {
            ln_c += ((n - x) as f64 / (x + 1) as f64).ln();
        }
    }
    total.min(1.0)
}

/// P(X >= k) for X ~ Poisson(`lambda`): counts of rare events with no
/// fixed number of trials (a shop's cashiers' slips in an hour). Summed
/// upwards from k, so a tail of 1e-9 keeps its digits.
fn poisson_tail(k: u32, lambda: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if lambda <= 0.0 {
        return 0.0;
    }
    // The k-th term, then each next from the one before.
    let ln_first =
        -lambda + f64::from(k) * lambda.ln() - (1..=k).map(|i| f64::from(i).ln()).sum::<f64>();
    let mut term = ln_first.exp();
    let mut total = 0.0;
    let mut x = k;
    while term > total * 1e-16 && x < k + 10_000 {
        total += term;
        x += 1;
        term *= lambda / f64::from(x);
    }
    total.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_tail_matches_hand_values() {
        assert_eq!(poisson_tail(0, 0.3), 1.0);
        assert!((poisson_tail(1, 0.3) - (1.0 - (-0.3f64).exp())).abs() < 1e-12);
        assert!((poisson_tail(2, 3.0) - (1.0 - 4.0 * (-3.0f64).exp())).abs() < 1e-12);
        // P(X >= 3 | 0.1) = 1 - e^-0.1 (1 + 0.1 + 0.005) = 1.5465e-4.
        assert!((poisson_tail(3, 0.1) - 1.5465e-4).abs() < 1e-7);
        // A binomial of many trials approaches it.
        let b = binomial_tail(3600, 4, 0.2 / 3600.0);
        assert!((poisson_tail(4, 0.2) / b - 1.0).abs() < 1e-2);
    }

    #[test]
    fn binomial_tail_matches_hand_values() {
        // P(X >= 2 | n = 2, p = 0.5) = 0.25; P(X >= 1 | n = 3, p = 0.5) = 0.875.
        assert!((binomial_tail(2, 2, 0.5) - 0.25).abs() < 1e-12);
        assert!((binomial_tail(3, 1, 0.5) - 0.875).abs() < 1e-12);
        assert_eq!(binomial_tail(5, 0, 0.1), 1.0);
        assert_eq!(binomial_tail(5, 6, 0.1), 0.0);
        // 20 of 40 failing where the fleet fails 5 %: far beyond chance.
        assert!(binomial_tail(40, 20, 0.05) < 1e-10);
    }
}

#[cfg(test)]
mod vote_tests {
    use super::*;

    fn incident_of(kind: ScopeKind) -> Incident {
        Incident {
            id: "INC-0001".into(),
            index: 0,
            kind,
            key: "K1".into(),
            opened_at: Ts(0),
            closed_at: None,
            terminals: vec![0, 1, 2],
            last_failure: Ts(0),
            votes: [0.0; Cause::COUNT],
            ballots: Ballots::default(),
            merged_into: None,
            scope: 0,
            fired_on: Failure::Link as u8,
            all_on_radio: false,
            on_declines: false,
            device: None,
        }
    }

    #[test]
    fn a_shops_boards_failing_together_are_its_mains_but_a_models_are_its_boards() {
        let belief = |c: Cause, p: f64| {
            let mut v = [(1.0 - p) / (Cause::COUNT - 1) as f64; Cause::COUNT];
            v[c.index()] = p;
            v
        };
        for (kind, expected) in [
            (ScopeKind::Site, Cause::PowerSupply),
            (ScopeKind::Model, Cause::HardwareBoard),
        ] {
            let mut inc = incident_of(kind);
            // Two members read as their damaged boards, one as the power.
            inc.ballot(0, &belief(Cause::HardwareBoard, 0.8), 1);
            inc.ballot(1, &belief(Cause::HardwareBoard, 0.7), 1);
            inc.ballot(2, &belief(Cause::PowerSupply, 0.6), 1);
            assert_eq!(inc.cause().unwrap().0, expected, "{kind:?}");
        }
    }

    #[test]
    fn each_member_counts_once_however_chatty() {
        let mut inc = incident_of(ScopeKind::Site);
        inc.terminals = vec![0, 1, 2, 3];
        let belief = |c: Cause, p: f64| {
            let mut v = [(1.0 - p) / (Cause::COUNT - 1) as f64; Cause::COUNT];
            v[c.index()] = p;
            v
        };
        // Three terminals lost power; the Wi-Fi one keeps failing to
        // connect and is diagnosed twenty times as its router.
        for t in 0..3 {
            inc.ballot(t, &belief(Cause::PowerSupply, 0.9), 1);
        }
        for _ in 0..20 {
            inc.ballot(3, &belief(Cause::NetworkLan, 0.8), 1);
        }
        let (cause, p) = inc.cause().unwrap();
        assert_eq!(cause, Cause::PowerSupply);
        assert!((0.6..0.8).contains(&p), "{p}");
    }

    /// Twenty terminals in ten shops on host H1 paying every ten seconds for
    /// `minutes`, with cards of four BINs in turn; `fails(bin, terminal,
    /// step)` says which go unanswered. Terminals 0..`held` are members of
    /// an open incident of their host, fired on `held_on`, from the start.
    /// Returns the issuer incidents' keys and when they opened (seconds
    /// from the start).
    fn banks(
        minutes: i64,
        (held, held_on): (u32, Failure),
        fails: &dyn Fn(u32, u32, i64) -> bool,
    ) -> Vec<(String, i64)> {
        const BINS: [u32; 4] = [621700, 622848, 622202, 621483];
        let mut f = Fleet::default();
        for t in 0..20u32 {
            f.set_scope(t, ScopeKind::Site, &format!("S{}", t / 2));
            f.set_scope(t, ScopeKind::Host, "H1");
        }
        let start = Ts::from_secs(1_800_000_000);
        if held > 0 {
            let host = f.scope_index[&(ScopeKind::Host, "H1".into())];
            f.scopes[host as usize].fired_on = held_on as u8;
            let i = f.open_incident(host, start);
            for t in 0..held {
                f.join(i, t);
            }
        }
        for step in 0..minutes * 6 {
            for t in 0..20u32 {
                let ts = start.plus_secs(step * 10 + i64::from(t % 7));
                let bin = BINS[(step as usize + t as usize) % 4];
                let failed = fails(bin, t, step);
                f.observe_card(t, CardIssuer::Bin(bin), ts, failed, failed);
            }
        }
        f.incidents
            .iter()
            .filter(|i| i.kind == ScopeKind::Issuer)
            .map(|i| (i.key.clone(), i.opened_at.secs_since(start) as i64))
            .collect()
    }

    #[test]
    fn a_bank_failing_one_card_in_eight_is_its_incident() {
        // From minute 20, one 621483 card in three goes unanswered on
        // terminals 0..8 of the twenty (one in seven and a half in all): a
        // partial outage, never most of the terminals its cards visit, but
        // far past the other banks'.
        let fails = |bin: u32, t: u32, step: i64| {
            bin == 621483 && step >= 120 && t < 8 && (step + i64::from(t)) % 3 == 0
        };
        let found = banks(60, (0, Failure::Link), &fails);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "621483");
        assert!(found[0].1 >= 1200, "{found:?}");
    }

    #[test]
    fn a_bank_failing_after_another_banks_outage_is_judged_against_the_usual_rate() {
        // 622848's cards fail eight times in ten for the first twenty
        // minutes (its own outage); from minute 30, one 621483 card in
        // three fails on terminals 0..8: against a usual rate that is an
        // outage, against one raised by the other bank's it would not be.
        let fails = |bin: u32, t: u32, step: i64| {
            (bin == 622848 && step < 120 && (step + i64::from(t)) % 10 < 8)
                || (bin == 621483 && step >= 180 && t < 8 && (step + i64::from(t)) % 3 == 0)
        };
        let found = banks(60, (0, Failure::Link), &fails);
        let keys: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(keys, ["622848", "621483"], "{found:?}");
    }

    #[test]
    fn cards_unanswered_on_terminals_another_incident_holds_are_not_their_banks() {
        // 621483's cards fail on terminals 0..8 only, half of them: in the
        // host's outage that holds those terminals they are the host's; on
        // terminals nothing holds, or that only the host's keys refused
        // hold, they would be the bank's.
        let fails =
            |bin: u32, t: u32, step: i64| bin == 621483 && t < 8 && step >= 60 && step % 2 == 0;
        assert_eq!(
            banks(40, (8, Failure::Link), &fails),
            Vec::<(String, i64)>::new()
        );
        let free = banks(40, (0, Failure::Link), &fails);
        assert_eq!(free.len(), 1, "{free:?}");
        let keys = banks(40, (8, Failure::Keys), &fails);
        assert_eq!(keys.len(), 1, "{keys:?}");
    }

    #[test]
    fn a_shop_whose_refusals_opened_its_incident_opens_its_router_apart() {
        // A shop of eight terminals: three customers' cards refused for the
        // account's reasons on two of them within a minute open its
        // incident; twenty
        // minutes on its router fails every terminal's payments.
        let mut f = Fleet::default();
        for t in 0..8u32 {
            f.set_scope(t, ScopeKind::Site, "S0");
        }
        let t0 = Ts::from_secs(1_800_000_000);
        for (t, at) in [(0u32, 0i64), (1, 40), (0, 70)] {
            refused_for_account(&mut f, t, t0.plus_secs(at), t + 1);
        }
        for step in 0..30i64 {
            for t in 0..8u32 {
                let ts = t0.plus_secs(1200 + step * 20 + i64::from(t));
                f.observe(t, ts, Some(Failure::Link), Source::Payment(0));
            }
        }
        let opened: Vec<(u8, i64)> = f
            .incidents
            .iter()
            .map(|i| (i.fired_on, i.opened_at.secs_since(t0) as i64))
            .collect();
        assert_eq!(opened.len(), 2, "{opened:?}");
        assert_eq!(opened[0].0, Failure::Account as u8, "{opened:?}");
        assert!(opened[1].0 & Failure::Link as u8 != 0, "{opened:?}");
        assert!((1200..1300).contains(&opened[1].1), "{opened:?}");
    }

    #[test]
    fn a_shop_refused_on_and_on_with_a_link_failing_once_is_still_one_incident() {
        // A shop of three terminals: customers' cards refused for the
        // account's reasons on two of them open its incident. Twenty
        // minutes on, both are refused twice more and terminal 2 loses its
        // link twice: the shop fails on all it shares, but on its
        // refusals, not its links — no outage to set the refusals apart.
        let mut f = Fleet::default();
        for t in 0..3u32 {
            f.set_scope(t, ScopeKind::Site, "S0");
        }
        let t0 = Ts::from_secs(1_800_000_000);
        for (t, at, key) in [(0u32, 0i64, 1u32), (1, 40, 2), (0, 70, 3)] {
            refused_for_account(&mut f, t, t0.plus_secs(at), key);
        }
        assert_eq!(f.incidents.len(), 1);
        for (t, at, key) in [
            (0u32, 1200i64, 4u32),
            (1, 1230, 5),
            (0, 1290, 6),
            (1, 1320, 7),
        ] {
            refused_for_account(&mut f, t, t0.plus_secs(at), key);
        }
        for at in [1250, 1300] {
            f.observe(2, t0.plus_secs(at), Some(Failure::Link), Source::Payment(0));
        }
        let fired: Vec<u8> = f.incidents.iter().map(|i| i.fired_on).collect();
        assert_eq!(fired, vec![Failure::Account as u8]);
    }

    /// Seventeen terminals: 0..12 on host H1 in six shops of two, 12..17
    /// on H2 in three more; 0..7 and 12..17 on one carrier in one city. For
    /// ten minutes, `fails(terminal, step)` says which payment (one each ten
    /// seconds) is lost; the rest are paid. Returns the incidents' keys.
    fn outage(fails: &dyn Fn(u32, i64) -> bool) -> Vec<String> {
        let mut f = Fleet::default();
        for t in 0..17u32 {
            f.set_scope(t, ScopeKind::Site, &format!("S{}", t / 2));
            f.set_scope(t, ScopeKind::Host, if t < 12 { "H1" } else { "H2" });
            if !(7..12).contains(&t) {
                f.set_scope(t, ScopeKind::Carrier, "cmcc@hangzhou");
            }
        }
        let start = Ts::from_secs(1_800_000_000);
        for step in 0..60i64 {
            for t in 0..17u32 {
                let ts = start.plus_secs(step * 10 + i64::from(t % 5));
                let failure = fails(t, step).then_some(Failure::Link);
                f.observe(t, ts, failure, Source::Payment(0));
            }
        }
        let mut keys: Vec<String> = f.incidents.iter().map(|i| i.key.clone()).collect();
        keys.sort();
        keys
    }

    #[test]
    fn a_release_seen_first_as_its_app_version_is_open_since_then() {
        // Three shops' terminals run one release (an app version and a
        // firmware) on one host.
        let mut f = Fleet::default();
        for t in 0..3u32 {
            f.set_scope(t, ScopeKind::Site, &format!("S{t}"));
            f.set_scope(t, ScopeKind::AppVersion, "5.1");
            f.set_scope(t, ScopeKind::Firmware, "pax/3.2.0");
            f.set_scope(t, ScopeKind::Host, "H1");
        }
        let scope = |f: &Fleet, kind: ScopeKind, key: &str| f.scope_index[&(kind, key.into())];
        let app = scope(&f, ScopeKind::AppVersion, "5.1");
        let firmware = scope(&f, ScopeKind::Firmware, "pax/3.2.0");
        let shop = scope(&f, ScopeKind::Site, "S0");
        let host = scope(&f, ScopeKind::Host, "H1");
        for s in [app, firmware, shop, host] {
            f.scopes[s as usize].fired_on = Failure::Link as u8 | Failure::Protocol as u8;
        }
        let t0 = Ts::from_secs(1_800_000_000);
        // Its app version's incident first, its firmware's ten minutes on:
        // one fault, seen since the first, one incident widened to the
        // firmware.
        let a = f.open_incident(app, t0);
        f.join(a, 0);
        f.join(a, 1);
        let w = f.open_incident(firmware, t0.plus_secs(600));
        assert_eq!(w, a);
        assert_eq!(f.incidents.len(), 1);
        let inc = &f.incidents[w as usize];
        assert_eq!(
            (inc.kind, inc.key.as_str()),
            (ScopeKind::Firmware, "pax/3.2.0")
        );
        assert_eq!(inc.opened_at, t0);
        assert_eq!(f.scopes[firmware as usize].incident, Some(w));
        assert_eq!(f.scopes[app as usize].incident, None);
        // A host's outage that takes in a shop's incident may follow the
        // shop's own fault: it is open from its own opening.
        let s = f.open_incident(shop, t0.plus_secs(1200));
        f.join(s, 0);
        let h = f.open_incident(host, t0.plus_secs(1800));
        assert_eq!(f.incidents[s as usize].merged_into, Some(h));
        assert_eq!(f.incidents[h as usize].opened_at, t0.plus_secs(1800));
    }

    #[test]
    fn a_failure_told_late_never_closes_an_incident_before_it_opened() {
        let mut f = Fleet::default();
        for t in 0..3u32 {
            f.set_scope(t, ScopeKind::Site, "S0");
        }
        let shop = f.scope_index[&(ScopeKind::Site, "S0".into())];
        f.scopes[shop as usize].fired_on = Failure::Link as u8;
        let t0 = Ts::from_secs(1_800_000_000);
        let i = f.open_incident(shop, t0);
        f.join(i, 0);
        f.join(i, 1);
        // A member's failure from a quarter of an hour before, told now
        // (its records came late): the incident has not been quiet since
        // it opened.
        f.incidents[i as usize].failed_at(t0.plus_secs(-900));
        f.tick(t0.plus_secs(1));
        assert_eq!(f.incidents[i as usize].closed_at, None);
        let later = t0.plus_secs(CLOSE_QUIET_S + 60);
        f.tick(later);
        let closed = f.incidents[i as usize].closed_at.expect("quiet since");
        assert!(closed >= t0.plus_secs(CLOSE_QUIET_S), "{closed:?}");
    }

    #[test]
    fn a_releases_terminals_failing_another_way_are_its_firmwares_no_more() {
        // Thirty terminals in as many shops. Terminals 0-5 run firmware
        // 3.2.0, 0-3 of them app 9.9 too, whose incident opened on its
        // messages refused. Then the app crashes on terminals 0-4.
        let mut f = Fleet::default();
        for t in 0..30u32 {
            f.set_scope(t, ScopeKind::Site, &format!("S{t}"));
            f.set_scope(t, ScopeKind::Host, "H1");
            let firmware = if t < 6 { "pax/3.2.0" } else { "pax/3.3.0" };
            f.set_scope(t, ScopeKind::Firmware, firmware);
            f.set_scope(t, ScopeKind::AppVersion, if t < 4 { "9.9" } else { "5.0" });
        }
        let app = f.scope_index[&(ScopeKind::AppVersion, "9.9".into())];
        let firmware = f.scope_index[&(ScopeKind::Firmware, "pax/3.2.0".into())];
        let t0 = Ts::from_secs(1_800_000_000);
        f.scopes[app as usize].fired_on = Failure::Protocol as u8;
        let a = f.open_incident(app, t0);
        for t in 0..4 {
            f.join(a, t);
        }
        for step in 0..10i64 {
            let ts = t0.plus_secs(60 + 30 * step);
            for t in 0..30u32 {
                let failure = (t < 5).then_some(Failure::Device);
                f.observe(t, ts.plus_secs(i64::from(t)), failure, Source::Other);
            }
        }
        let now = t0.plus_secs(60 + 30 * 10);
        f.scopes[firmware as usize].fired_on = Failure::Device as u8;
        // Four of the firmware's five crashing terminals are the version's,
        // and one crashing alone is no firmware's defect: one fault, the
        // version's, whatever way its terminals now fail.
        assert!(f.explained_elsewhere(firmware, now));
    }

    #[test]
    fn a_releases_terminals_reported_offline_count_against_it_only_just_after_an_update() {
        // Thirty terminals in as many shops, 0-9 on firmware pax/3.2.0, all
        // paying every minute; from minute 10 terminals 0-5 are reported
        // offline one by one, once each.
        let judged = |updated: bool| {
            let mut f = Fleet::default();
            for t in 0..30u32 {
                f.set_scope(t, ScopeKind::Site, &format!("S{t}"));
                let firmware = if t < 10 { "pax/3.2.0" } else { "pax/3.3.0" };
                f.set_scope(t, ScopeKind::Firmware, firmware);
            }
            let firmware = f.scope_index[&(ScopeKind::Firmware, "pax/3.2.0".into())];
            let t0 = Ts::from_secs(1_800_000_000);
            if updated {
                for t in 0..10 {
                    f.note_update(t, t0.plus_secs(300));
                }
            }
            for m in 0..10i64 {
                for t in 0..30u32 {
                    f.observe(t, t0.plus_secs(60 * m + i64::from(t)), None, Source::Other);
                }
            }
            for t in 0..6u32 {
                f.observe_offline(t, t0.plus_secs(600 + 40 * i64::from(t)));
            }
            let (failing, _, _) = f.judge_members(firmware, t0.plus_secs(900), Failure::Link as u8);
            failing
        };
        // Just installed, its terminals dropping off the management
        // system's view one after another: the release hangs them.
        assert_eq!(judged(true), 6);
        // Long installed: shops closing, batteries, links, as a fleet of
        // one model has all day.
        assert_eq!(judged(false), 0);
    }

    #[test]
    fn a_release_does_not_count_failures_read_as_its_cashiers_slips() {
        // Thirty terminals in as many shops, 0-5 on firmware pax/3.2.0.
        // Terminals 0-4 fail at their card readers; the diagnosis reads
        // 0-3's as slips. Terminal 1 fails so again after, and terminal 2
        // had its messages refused before its slip.
        let mut f = Fleet::default();
        for t in 0..30u32 {
            f.set_scope(t, ScopeKind::Site, &format!("S{t}"));
            let firmware = if t < 6 { "pax/3.2.0" } else { "pax/3.3.0" };
            f.set_scope(t, ScopeKind::Firmware, firmware);
        }
        let firmware = f.scope_index[&(ScopeKind::Firmware, "pax/3.2.0".into())];
        let t0 = Ts::from_secs(1_800_000_000);
        for t in 0..30u32 {
            f.observe(t, t0.plus_secs(i64::from(t)), None, Source::Payment(0));
        }
        f.observe_refusal(2, t0.plus_secs(60), Failure::Protocol, Purchase::default());
        for t in 0..5u32 {
            f.observe(t, t0.plus_secs(120), Some(Failure::Device), Source::Other);
        }
        for t in 0..4u32 {
            f.observe_human(t, t0.plus_secs(120));
        }
        f.observe(1, t0.plus_secs(180), Some(Failure::Device), Source::Other);
        let shares = ScopeKind::Firmware.outage_shares();
        let (failing, ok, who) = f.judge_members(firmware, t0.plus_secs(200), shares);
        assert_eq!(who, [1, 2, 4]);
        assert_eq!((failing, ok), (3, 3));
    }

    #[test]
    fn a_release_failing_before_its_host_went_down_stays_its_own_incident() {
        // Three terminals on app 5.0.8 and host H3: the version's incident
        // opens at t0 with two members, the host's `later` seconds on.
        let t0 = Ts::from_secs(1_800_000_000);
        let version_then_host = |later: i64| {
            let mut f = Fleet::default();
            for t in 0..3u32 {
                f.set_scope(t, ScopeKind::AppVersion, "5.0.8");
                f.set_scope(t, ScopeKind::Host, "H3");
            }
            let app = f.scope_index[&(ScopeKind::AppVersion, "5.0.8".into())];
            let host = f.scope_index[&(ScopeKind::Host, "H3".into())];
            for s in [app, host] {
                f.scopes[s as usize].fired_on = Failure::Link as u8 | Failure::Protocol as u8;
            }
            let a = f.open_incident(app, t0);
            f.join(a, 0);
            f.join(a, 1);
            let h = f.open_incident(host, t0.plus_secs(later));
            (f, a, h)
        };
        // The host refuses the version's messages; twenty minutes on the
        // host itself goes down: two faults.
        let (f, a, h) = version_then_host(1200);
        assert_eq!(f.incidents[a as usize].merged_into, None);
        assert!(f.incidents[a as usize].closed_at.is_none());
        assert_eq!(f.incidents[h as usize].opened_at, t0.plus_secs(1200));
        // The host's outage seen first on its terminals' version a minute
        // before is one fault.
        let (f, a, h) = version_then_host(60);
        assert_eq!(f.incidents[a as usize].merged_into, Some(h));
    }

    #[test]
    fn a_shops_power_cut_is_neither_taken_in_nor_explained_by_its_host() {
        // Four shops of three on host H1; shop S0 loses its mains.
        let mut f = Fleet::default();
        for t in 0..12u32 {
            f.set_scope(t, ScopeKind::Site, &format!("S{}", t / 3));
            f.set_scope(t, ScopeKind::Host, "H1");
        }
        let scope = |f: &Fleet, kind: ScopeKind, key: &str| f.scope_index[&(kind, key.into())];
        let (shop, host) = (
            scope(&f, ScopeKind::Site, "S0"),
            scope(&f, ScopeKind::Host, "H1"),
        );
        let t0 = Ts::from_secs(1_800_000_000);
        for step in 0..12i64 {
            let ts = t0.plus_secs(step * 10);
            for t in 0..12u32 {
                if t < 3 {
                    f.note_power(t, ts);
                    f.observe(t, ts, Some(Failure::Link), Source::Mains);
                } else {
                    f.observe(t, ts, None, Source::Payment(0));
                }
            }
        }
        let ts = t0.plus_secs(120);
        let s = f.scopes[shop as usize]
            .incident
            .expect("the shop's power incident");
        // The mains are no host's: it has no failing member...
        assert!(f.failing_now(host, ts).is_empty());
        // ...and a host's incident opening anyway does not swallow it.
        f.scopes[host as usize].fired_on = Failure::Link as u8;
        let h = f.open_incident(host, ts);
        assert_eq!(f.incidents[s as usize].merged_into, None, "{h}");
    }

    /// Twelve terminals on host H1 (`place` files each in its shop and
    /// carrier), failing to answer from t0 on; ten minutes on, those that
    /// `dark` picks are reported offline again and again besides. Returns
    /// the incidents' keys.
    fn dark_in_a_host_outage(
        place: &dyn Fn(&mut Fleet, u32),
        dark: &dyn Fn(u32) -> bool,
    ) -> Vec<String> {
        let mut f = Fleet::default();
        for t in 0..12u32 {
            f.set_scope(t, ScopeKind::Host, "H1");
            place(&mut f, t);
        }
        let t0 = Ts::from_secs(1_800_000_000);
        for step in 0..120i64 {
            for t in 0..12u32 {
                let ts = t0.plus_secs(step * 10 + i64::from(t % 3));
                if dark(t) && step >= 60 && step % 6 == 0 {
                    f.observe_offline(t, ts);
                }
                f.observe(t, ts, Some(Failure::Link), Source::Other);
            }
        }
        let mut keys: Vec<String> = f.incidents.iter().map(|i| i.key.clone()).collect();
        keys.sort();
        keys
    }

    #[test]
    fn a_shops_router_failing_in_its_hosts_outage_is_the_shops_own_incident() {
        // Four shops of three; shop S0's terminals go dark.
        let shops = |f: &mut Fleet, t: u32| f.set_scope(t, ScopeKind::Site, &format!("S{}", t / 3));
        // The host's outage alone is one incident; no host darkens a
        // shop's heartbeats, so the dark shop is an incident of its own.
        assert_eq!(
            dark_in_a_host_outage(&shops, &|_| false),
            vec!["H1".to_string()]
        );
        assert_eq!(
            dark_in_a_host_outage(&shops, &|t| t < 3),
            vec!["H1".to_string(), "S0".to_string()]
        );
    }

    #[test]
    fn a_carrier_gone_dark_in_its_hosts_outage_is_the_carriers_own_incident() {
        // Six shops of two; one cellular terminal in each of S0..S3 is on
        // one carrier in one city, whose data goes down.
        let places = |f: &mut Fleet, t: u32| {
            f.set_scope(t, ScopeKind::Site, &format!("S{}", t / 2));
            if t.is_multiple_of(2) && t < 8 {
                f.set_scope(t, ScopeKind::Carrier, "cucc@yichang");
            }
        };
        let cellular = |t: u32| t.is_multiple_of(2) && t < 8;
        assert_eq!(
            dark_in_a_host_outage(&places, &|_| false),
            vec!["H1".to_string()]
        );
        assert_eq!(
            dark_in_a_host_outage(&places, &cellular),
            vec!["H1".to_string(), "cucc@yichang".to_string()]
        );
    }

    #[test]
    fn a_release_read_as_refused_twice_on_two_merchants_terminals_is_its_incident() {
        // Three hundred terminals heard, in a hundred merchants; six run
        // app 7.4.2.
        let fleet = || {
            let mut f = Fleet::default();
            let t0 = Ts::from_secs(1_800_000_000);
            for t in 0..300u32 {
                f.set_scope(t, ScopeKind::Merchant, &format!("M{}", t / 3));
                let version = if t < 6 { "7.4.2" } else { "7.5.0" };
                f.set_scope(t, ScopeKind::AppVersion, version);
                f.observe(t, t0, None, Source::Payment(0));
            }
            (f, t0)
        };
        let at = |t0: Ts, min: i64| t0.plus_secs(3600 + min * 60);
        // Terminals 0 (M0) and 3 (M1) read so every three minutes.
        let (mut f, t0) = fleet();
        for min in [0, 3, 6] {
            f.observe_release_refused(0, at(t0, min));
            f.observe_release_refused(3, at(t0, min + 1));
        }
        let opened: Vec<(&str, u8)> = f
            .incidents
            .iter()
            .map(|i| (i.key.as_str(), i.fired_on))
            .collect();
        assert_eq!(opened, vec![("7.4.2", Failure::Protocol as u8)]);
        assert_eq!(f.incidents[0].terminals, vec![0, 3]);
        // The same beside another release refused all hour on twenty
        // terminals: its outage, inside its own incident, is no ordinary
        // rate to judge 7.4.2 by.
        let (mut f, t0) = fleet();
        for min in [0, 3] {
            f.observe_release_refused(6, at(t0, min - 60));
            f.observe_release_refused(9, at(t0, min - 59));
        }
        assert_eq!(f.incidents.len(), 1);
        assert_eq!(f.incidents[0].key, "7.5.0");
        for t in 6..26u32 {
            f.join(0, t);
        }
        for min in 5..60 {
            for t in 6..26u32 {
                f.observe_release_refused(t, at(t0, min - 60));
            }
        }
        assert_eq!(f.incidents.len(), 1);
        for min in [0, 3, 6] {
            f.observe_release_refused(0, at(t0, min));
            f.observe_release_refused(3, at(t0, min + 1));
        }
        let keys: Vec<&str> = f.incidents.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(keys, vec!["7.5.0", "7.4.2"]);
        // One merchant's two terminals: its own set-up, no release's.
        let (mut f, t0) = fleet();
        for min in [0, 3, 6] {
            f.observe_release_refused(0, at(t0, min));
            f.observe_release_refused(1, at(t0, min + 1));
        }
        assert!(f.incidents.is_empty());
        // One terminal however often, its events a minute apart one episode.
        let (mut f, t0) = fleet();
        for min in 0..20 {
            f.observe_release_refused(0, at(t0, min));
        }
        f.observe_release_refused(3, at(t0, 20));
        assert!(f.incidents.is_empty());
    }

    #[test]
    fn a_host_whose_keys_were_refused_going_down_is_one_outage_not_a_shop_each() {
        // Eight shops of three on host H1, each its own merchant, paying
        // every ten seconds. The host changes its keys under four terminals
        // in three shops (refused MACs from t0), then stops answering
        // everyone twenty minutes on.
        let mut f = Fleet::default();
        for t in 0..24u32 {
            f.set_scope(t, ScopeKind::Site, &format!("S{}", t / 3));
            f.set_scope(t, ScopeKind::Merchant, &format!("M{}", t / 3));
            f.set_scope(t, ScopeKind::Host, "H1");
        }
        let t0 = Ts::from_secs(1_800_000_000);
        let keyed = |t: u32| [0, 3, 4, 7].contains(&t);
        for step in 0..240i64 {
            for t in 0..24u32 {
                let ts = t0.plus_secs(step * 10 + i64::from(t % 7));
                if step < 60 {
                    f.observe(t, ts, None, Source::Payment(0));
                } else if keyed(t) && step < 120 {
                    f.observe_refusal(t, ts, Failure::Keys, Purchase::default());
                } else if step < 120 {
                    f.observe(t, ts, None, Source::Payment(0));
                } else {
                    f.observe(t, ts, Some(Failure::Link), Source::Payment(0));
                }
            }
        }
        let opened: Vec<(&str, u8)> = f
            .incidents
            .iter()
            .filter(|i| i.merged_into.is_none())
            .map(|i| (i.key.as_str(), i.fired_on))
            .collect();
        // The keys' incident, then the outage's: both the host's, no shop's.
        assert_eq!(opened.len(), 2, "{opened:?}");
        assert!(opened.iter().all(|(k, _)| *k == "H1"), "{opened:?}");
        assert_eq!(opened[0].1, Failure::Keys as u8);
        assert_ne!(opened[1].1 & Failure::Link as u8, 0);
        let outage = f.incidents.iter().rfind(|i| i.key == "H1").unwrap();
        assert!(outage.terminals.len() >= 20, "{:?}", outage.terminals);
    }

    /// `n` terminals on host H1 in shops of two (S0, S1, ...), the first
    /// four merchant M0's, every other one its own merchant's.
    fn shops_of_two_on_h1_with_m0(n: u32) -> Fleet {
        let mut f = Fleet::default();
        for t in 0..n {
            f.set_scope(t, ScopeKind::Site, &format!("S{}", t / 2));
            f.set_scope(t, ScopeKind::Host, "H1");
            let merchant = if t < 4 {
                "M0".to_string()
            } else {
                format!("M{t}")
            };
            f.set_scope(t, ScopeKind::Merchant, &merchant);
        }
        f
    }

    #[test]
    fn a_merchants_keys_refused_while_its_refusals_incident_is_open_are_a_second_incident() {
        // Merchant M0's four terminals in shops S0 and S1 on host H1, with
        // eight shops of other merchants. M0's customers are refused for
        // its account from t0 (two terminals); ten minutes on, all four of
        // its terminals are refused for their MACs.
        let mut f = shops_of_two_on_h1_with_m0(20);
        let t0 = Ts::from_secs(1_800_000_000);
        for step in 0..120i64 {
            for t in 0..20u32 {
                let ts = t0.plus_secs(step * 10 + i64::from(t % 4));
                if t < 4 && step >= 60 && step % 2 == 0 {
                    f.observe_refusal(t, ts, Failure::Keys, Purchase::default());
                } else if t < 2 && step % 3 == 0 {
                    refused_for_account(&mut f, t, ts, step as u32 * 8 + t + 1);
                } else {
                    f.observe(t, ts, None, Source::Payment(0));
                }
            }
        }
        let m0: Vec<u8> = f
            .incidents
            .iter()
            .filter(|i| i.key == "M0")
            .map(|i| i.fired_on)
            .collect();
        assert_eq!(
            m0,
            vec![Failure::Account as u8, Failure::Keys as u8],
            "{:?}",
            f.incidents
        );
    }

    #[test]
    fn a_release_takes_its_terminals_refusals_as_the_same_defect_and_no_host_its_keys() {
        let messages = Failure::Link as u8 | Failure::Protocol as u8;
        for release in [ScopeKind::AppVersion, ScopeKind::Firmware, ScopeKind::Model] {
            assert_eq!(release.kin(Failure::Protocol), messages);
            // A release refused for its messages does not explain its
            // links failing.
            assert_eq!(release.kin(Failure::Link), Failure::Link as u8);
        }
        assert_eq!(
            ScopeKind::Host.kin(Failure::Protocol),
            Failure::Protocol as u8
        );
        assert_eq!(ScopeKind::Host.outage_shares() & Failure::Keys as u8, 0);
        assert_ne!(ScopeKind::Host.outage_shares() & Failure::Link as u8, 0);
    }

    #[test]
    fn a_merchants_keys_refused_in_its_hosts_outage_are_the_merchants_incident() {
        // Six shops of two on host H1, failing to answer from t0 on; shops
        // S0 and S1 are merchant M0's. Ten minutes on, M0's terminals are
        // refused for their MACs as well.
        let mut f = shops_of_two_on_h1_with_m0(12);
        let t0 = Ts::from_secs(1_800_000_000);
        for step in 0..120i64 {
            for t in 0..12u32 {
                let ts = t0.plus_secs(step * 10 + i64::from(t % 4));
                if t < 4 && step >= 60 && step % 3 == 0 {
                    f.observe_refusal(t, ts, Failure::Keys, Purchase::default());
                } else {
                    f.observe(t, ts, Some(Failure::Link), Source::Payment(0));
                }
            }
        }
        let mut keys: Vec<&str> = f.incidents.iter().map(|i| i.key.as_str()).collect();
        keys.sort_unstable();
        // The host's outage never refused a MAC: the keys are the merchant's.
        assert_eq!(keys, vec!["H1", "M0"]);
    }

    #[test]
    fn a_carrier_down_before_its_host_keeps_its_terminals() {
        // Twelve terminals on host H1 in six shops, twelve more on H2;
        // 0..4 and 12..16 on one carrier in one city, down from t0. Ten
        // minutes on, H1 stops answering too.
        let mut f = Fleet::default();
        for t in 0..24u32 {
            f.set_scope(t, ScopeKind::Site, &format!("S{}", t / 2));
            f.set_scope(t, ScopeKind::Host, if t < 12 { "H1" } else { "H2" });
            if (0..4).contains(&t) || (12..16).contains(&t) {
                f.set_scope(t, ScopeKind::Carrier, "cmcc@hangzhou");
            }
        }
        let carrier = |t: u32| (0..4).contains(&t) || (12..16).contains(&t);
        let t0 = Ts::from_secs(1_800_000_000);
        for step in 0..120i64 {
            for t in 0..24u32 {
                let ts = t0.plus_secs(step * 10 + i64::from(t % 5));
                let fails = carrier(t) || (t < 12 && step >= 60);
                f.observe(t, ts, fails.then_some(Failure::Link), Source::Payment(0));
            }
        }
        let key_of = |t: u32| f.incident_of(t).map(|i| i.key.as_str());
        // The host's outage came after: it takes its own terminals, not the
        // carrier's it found failing already.
        assert_eq!(key_of(6), Some("H1"));
        assert_eq!(key_of(0), Some("cmcc@hangzhou"));
        assert_eq!(key_of(12), Some("cmcc@hangzhou"));
    }

    #[test]
    fn a_down_hosts_carrier_opens_nothing_of_its_own() {
        // Host H1 down; one of the carrier's terminals on H2 loses a
        // payment by chance meanwhile: the carrier's failing terminals are
        // H1's, already its incident's.
        let keys = outage(&|t, step| t < 12 || (t == 16 && step == 30));
        assert_eq!(keys, vec!["H1".to_string()]);
    }

    #[test]
    fn a_carrier_down_in_its_hosts_outage_is_still_the_carriers() {
        // The carrier's terminals on H2 are failing too: its own outage.
        let keys = outage(&|t, step| t < 12 || step >= 20);
        assert_eq!(keys, vec!["H1".to_string(), "cmcc@hangzhou".to_string()]);
    }

    #[test]
    fn a_shop_failing_steadily_opens_its_incident_within_seconds_of_firing() {
        // Two terminals of one shop lose every payment, one each ten
        // seconds, from t0. The shop fires once its failures are past
        // chance; the incident must follow within a few seconds, not wait
        // half a minute more (the median time to an incident counts it).
        let mut f = Fleet::default();
        for t in 0..2u32 {
            f.set_scope(t, ScopeKind::Site, "S1");
        }
        let shop = f.scope_index[&(ScopeKind::Site, "S1".into())];
        let t0 = Ts::from_secs(1_800_000_000);
        let mut firing_at = None;
        for step in 0..30i64 {
            for t in 0..2u32 {
                let ts = t0.plus_secs(step * 10 + i64::from(t) * 3);
                f.observe(t, ts, Some(Failure::Link), Source::Payment(0));
                if firing_at.is_none() && f.scopes[shop as usize].firing_since.is_some() {
                    firing_at = Some(ts);
                }
            }
        }
        let firing_at = firing_at.expect("the shop fired");
        let inc = f
            .incidents
            .iter()
            .find(|i| i.key == "S1")
            .expect("an incident on S1");
        let waited = inc.opened_at.secs_since(firing_at);
        assert!((0.0..=15.0).contains(&waited), "waited {waited} s");
    }

    #[test]
    fn a_host_whose_past_learned_its_ramp_is_judged_against_the_others() {
        // H1 answered 500 payments of four shops with two malfunctions in
        // the last ten minutes. H3's past learned one bad answer in twenty
        // (an hour of slowing down); now twelve of its eighty answers, on
        // six terminals in six shops, are bad.
        let mut f = Fleet::default();
        for t in 0..10u32 {
            f.set_scope(t, ScopeKind::Site, &format!("S{t}"));
            f.set_scope(t, ScopeKind::Host, if t < 4 { "H1" } else { "H3" });
        }
        let h3 = f.scope_index[&(ScopeKind::Host, "H3".into())];
        let t0 = Ts::from_secs(1_800_000_000);
        f.host_answers
            .entry(h3)
            .or_default()
            .past
            .add_many(t0, 2000.0, 100.0);
        let now = t0.plus_secs(3600);
        for k in 0..500i64 {
            let ts = now.plus_secs(-590 + k);
            f.host_answered((k % 4) as u32, ts, 0, k % 250 == 3, None);
        }
        for k in 0..80i64 {
            let ts = now.plus_secs(-590 + k * 7);
            f.host_answered(4 + (k % 6) as u32, ts, 0, k % 7 == 0, None);
        }
        assert!(f.degraded(h3, now).is_some());
        // Alone, against its own past only, it is not.
        let mut alone = Fleet::default();
        for t in 4..10u32 {
            alone.set_scope(t, ScopeKind::Site, &format!("S{t}"));
            alone.set_scope(t, ScopeKind::Host, "H3");
        }
        let h3 = alone.scope_index[&(ScopeKind::Host, "H3".into())];
        alone
            .host_answers
            .entry(h3)
            .or_default()
            .past
            .add_many(t0, 2000.0, 100.0);
        for k in 0..80i64 {
            let ts = now.plus_secs(-590 + k * 7);
            alone.host_answered(4 + (k % 6) as u32, ts, 0, k % 7 == 0, None);
        }
        assert!(alone.degraded(h3, now).is_none());
    }

    #[test]
    fn a_slow_answer_inside_a_shops_incident_is_not_its_hosts() {
        // Terminal 0's shop has an incident open (its router): its slow
        // answers say nothing of its host; terminal 2's do.
        let mut f = Fleet::default();
        for t in 0..3u32 {
            f.set_scope(t, ScopeKind::Site, if t < 2 { "S1" } else { "S2" });
            f.set_scope(t, ScopeKind::Host, "H1");
        }
        let shop = f.scope_index[&(ScopeKind::Site, "S1".into())];
        let host = f.scope_index[&(ScopeKind::Host, "H1".into())];
        let t0 = Ts::from_secs(1_800_000_000);
        for k in 0..40i64 {
            f.host_answered(2, t0.plus_secs(k), 0, false, Some(900.0));
        }
        f.scopes[shop as usize].fired_on = Failure::Link as u8;
        let inc = f.open_incident(shop, t0.plus_secs(50));
        f.join(inc, 0);
        let bad = |f: &Fleet| f.host_answers[&host].errors(t0, t0.plus_secs(600)).count();
        f.host_answered(0, t0.plus_secs(60), 0, false, Some(12_000.0));
        assert_eq!(bad(&f), 0);
        f.host_answered(2, t0.plus_secs(61), 0, false, Some(12_000.0));
        assert_eq!(bad(&f), 1);
    }

    /// Eight terminals in eight shops on host H1 and carrier cmcc in one
    /// city; `failing` of them lose their link (`source`) every ten seconds
    /// for five minutes, with `weak` radios; the rest pay. Returns the
    /// incidents' keys.
    fn link_trouble(failing: u32, source: Source, weak: bool) -> Vec<String> {
        let mut f = Fleet::default();
        for t in 0..8u32 {
            f.set_scope(t, ScopeKind::Site, &format!("S{t}"));
            f.set_scope(t, ScopeKind::Host, "H1");
            f.set_scope(t, ScopeKind::Carrier, "cmcc@baoding");
            f.radio_read(t, Ts::from_secs(1_800_000_000), weak && t < failing);
        }
        let t0 = Ts::from_secs(1_800_000_000);
        for step in 0..30i64 {
            for t in 0..8u32 {
                let ts = t0.plus_secs(step * 10 + i64::from(t));
                if t < failing {
                    f.observe(t, ts, Some(Failure::Link), source);
                } else {
                    f.observe(t, ts, None, Source::Payment(0));
                }
            }
        }
        let mut keys: Vec<String> = f.incidents.iter().map(|i| i.key.clone()).collect();
        keys.sort();
        keys
    }

    /// A city's `size` terminals on one carrier, each in its own shop, the
    /// first `failing` losing their link once every eight minutes in turn
    /// (never four in one five-minute window), the rest paying; twenty
    /// terminals on another carrier and the same host beside them, five of
    /// them failing on and on (a fleet whose faults never all end, where
    /// four of four failing in a quarter hour is no rarity by itself).
    /// Returns the incidents' keys.
    fn a_small_carriers_links(size: u32, failing: u32) -> Vec<String> {
        let mut f = Fleet::default();
        for t in 0..size + 20 {
            f.set_scope(t, ScopeKind::Site, &format!("S{t}"));
            f.set_scope(t, ScopeKind::Host, "H1");
            let carrier = if t < size {
                "ctcc@shijiazhuang"
            } else {
                "cmcc@shijiazhuang"
            };
            f.set_scope(t, ScopeKind::Carrier, carrier);
        }
        let t0 = Ts::from_secs(1_800_000_000);
        for minute in 0..40i64 {
            for t in 0..size + 20 {
                let ts = t0.plus_secs(minute * 60 + i64::from(t));
                if t < failing {
                    // Heard from each minute (its management link is not
                    // its payments'), so never silent; its payments fail
                    // every eight minutes, two after the one before.
                    f.heard(t, ts, true);
                    if (minute - 2 * i64::from(t)).rem_euclid(8) == 0 {
                        f.observe(t, ts, Some(Failure::Link), Source::Payment(0));
                    }
                } else if t >= size + 15 {
                    f.observe(t, ts, Some(Failure::Link), Source::Payment(0));
                } else if minute % 3 == i64::from(t % 3) {
                    f.observe(t, ts, None, Source::Payment(0));
                }
            }
        }
        let mut keys: Vec<String> = f.incidents.iter().map(|i| i.key.clone()).collect();
        keys.sort();
        keys
    }

    #[test]
    fn most_of_a_small_carriers_terminals_failing_in_turn_are_its_outage() {
        // Four terminals, each failing every eight minutes and none paying:
        // three at most in any five minutes, and that is all of them that
        // spoke. The carrier's outage.
        assert_eq!(
            a_small_carriers_links(4, 4),
            vec!["ctcc@shijiazhuang".to_string()]
        );
        // Three failing so among twelve, the other nine paying: a few
        // terminals' own trouble, no carrier's.
        assert!(a_small_carriers_links(12, 3).is_empty());
    }

    #[test]
    fn heartbeats_losing_packets_are_no_hosts_outage() {
        // Six of eight terminals' heartbeats lose packets: their carrier's
        // trouble, never their acquirer's.
        assert_eq!(
            link_trouble(6, Source::Heartbeat, false),
            vec!["cmcc@baoding".to_string()]
        );
        // Their payments unanswered may be either's.
        assert!(!link_trouble(6, Source::Payment(0), false).is_empty());
    }

    #[test]
    fn terminals_on_a_weak_radio_make_no_carrier_outage() {
        // The same six failing on a weak signal (a dead zone, a rural
        // shop): their own air, not the carrier's.
        assert!(link_trouble(6, Source::Heartbeat, true).is_empty());
    }

    #[test]
    fn a_terminal_whose_words_come_late_is_not_silent_for_it() {
        // A shop of two: T0's heartbeats (one a minute) arrive eight
        // minutes late, every one; T1's on time, until its link fails at
        // minute 30. T0 was never silent: one terminal failing is no
        // shop's outage.
        let run = |late_s: i64| {
            let mut f = Fleet::default();
            for t in 0..2u32 {
                f.set_scope(t, ScopeKind::Site, "S1");
            }
            let t0 = Ts::from_secs(1_800_000_000);
            for sec in (0..40 * 60i64).step_by(10) {
                let now = t0.plus_secs(sec);
                if sec % 60 == 0 && sec >= late_s {
                    f.heard(0, now.plus_secs(-late_s), true);
                }
                if sec % 60 == 30 {
                    f.heard(1, now, true);
                    if sec >= 30 * 60 {
                        f.observe(1, now, Some(Failure::Link), Source::Heartbeat);
                    }
                }
                f.tick(now);
            }
            f.incidents.len()
        };
        assert_eq!(run(480), 0);
        // Its words stopping for eight minutes beside T1's failure is the
        // shop's (the same run, on time until minute 30, then silent).
        let mut f = Fleet::default();
        for t in 0..2u32 {
            f.set_scope(t, ScopeKind::Site, "S1");
        }
        let t0 = Ts::from_secs(1_800_000_000);
        for sec in (0..40 * 60i64).step_by(10) {
            let now = t0.plus_secs(sec);
            if sec % 60 == 0 && sec < 30 * 60 {
                f.heard(0, now, true);
            }
            if sec % 60 == 30 {
                f.heard(1, now, true);
                if sec >= 30 * 60 {
                    f.observe(1, now, Some(Failure::Link), Source::Heartbeat);
                }
            }
            f.tick(now);
        }
        assert_eq!(f.incidents.len(), 1);
    }

    #[test]
    fn a_chatty_terminal_keeps_one_silence_entry_and_still_falls_silent() {
        let mut f = Fleet::default();
        let t0 = Ts::from_secs(1_800_000_000);
        for m in 0..10i64 {
            f.heard(0, t0.plus_secs(m * 60), true);
        }
        // A record every second for ten minutes: each puts its silence off.
        for s in 600..1200i64 {
            f.heard(0, t0.plus_secs(s), false);
            f.tick(t0.plus_secs(s));
        }
        assert!(f.silence_due.len() <= 2, "{}", f.silence_due.len());
        assert_eq!(f.beats[0].due, Some(t0.plus_secs(1199 + 150)));
        // Then quiet: silent 150 s after its last word, not before.
        f.tick(t0.plus_secs(1199 + 149));
        assert_eq!(f.beats[0].due, Some(t0.plus_secs(1199 + 150)));
        f.tick(t0.plus_secs(1199 + 150));
        assert!(
            f.beats[0].due.is_some_and(|d| d > t0.plus_secs(1199 + 150)),
            "{:?}",
            f.beats[0].due
        );
    }

    #[test]
    fn a_record_from_a_clock_far_behind_puts_off_silence_by_half_an_hour_at_most() {
        let mut f = Fleet::default();
        let t0 = Ts::from_secs(1_800_000_000);
        for m in 0..10i64 {
            f.heard(0, t0.plus_secs(m * 60), true);
        }
        // A record stamped a year ago, heard now.
        f.heard(0, t0.plus_secs(-365 * 86_400), false);
        assert!(
            f.beats[0].silent_after_s() <= 150 + 1800,
            "{}",
            f.beats[0].silent_after_s()
        );
    }

    /// A shop `S1` of terminals `0..n` (merchant `M1`, nothing else of
    /// theirs known), beside shops `S2`.. of three terminals each up to
    /// `total`, all on host `H1` but those in `no_host`.
    fn shops(n: u32, total: u32, no_host: &[u32]) -> Fleet {
        let mut f = Fleet::default();
        for t in 0..total {
            let shop = if t < n { 1 } else { 2 + (t - n) / 3 };
            f.set_scope(t, ScopeKind::Site, &format!("S{shop}"));
            f.set_scope(t, ScopeKind::Merchant, &format!("M{shop}"));
            if !no_host.contains(&t) {
                f.set_scope(t, ScopeKind::Host, "H1");
            }
        }
        f
    }

    fn scope(f: &Fleet, kind: ScopeKind, key: &str) -> u32 {
        f.scope_index[&(kind, key.into())]
    }

    /// Opens scope (`kind`, `key`)'s incident at `ts`, fired on `on`, with
    /// `members` in it.
    fn open_with(
        f: &mut Fleet,
        (kind, key): (ScopeKind, &str),
        on: u8,
        ts: Ts,
        members: impl IntoIterator<Item = u32>,
    ) -> u32 {
        let s = scope(f, kind, key);
        f.scopes[s as usize].fired_on = on;
        let i = f.open_incident(s, ts);
        for t in members {
            f.join(i, t);
        }
        i
    }

    /// `terminals`' payments lost, each a minute apart, four times from
    /// half a minute past `t0`.
    fn links_failing(f: &mut Fleet, terminals: std::ops::Range<u32>, t0: Ts) {
        for step in 0..4i64 {
            for t in terminals.clone() {
                let ts = t0.plus_secs(30 + 60 * step + i64::from(t));
                f.observe(t, ts, Some(Failure::Link), Source::Payment(0));
            }
        }
    }

    /// Terminal `t`'s customer `key` refused at `ts` for the account's
    /// reasons (another key, another customer).
    fn refused_for_account(f: &mut Fleet, t: u32, ts: Ts, key: u32) {
        let purchase = Purchase {
            key,
            setup_explains: false,
            reason: 1,
        };
        f.observe_refusal(t, ts, Failure::Account, purchase);
    }

    #[test]
    fn a_shop_refused_for_its_merchant_whose_terminals_blipped_offline_is_its_merchants() {
        // The merchant's account refused at its one shop's three terminals:
        // its incident holds them. Two of them each had a link failure
        // besides, once, amid their refusals.
        let mut f = shops(3, 3, &[]);
        let t0 = Ts::from_secs(1_800_000_000);
        let account = Failure::Account as u8;
        open_with(&mut f, (ScopeKind::Merchant, "M1"), account, t0, 0..3);
        for step in 0..4i64 {
            for t in 0..3u32 {
                let ts = t0.plus_secs(60 + 120 * step + i64::from(t));
                f.observe_refusal(t, ts, Failure::Account, Purchase::default());
            }
        }
        f.observe(0, t0.plus_secs(300), Some(Failure::Link), Source::Other);
        f.observe(1, t0.plus_secs(420), Some(Failure::Link), Source::Other);
        let site = scope(&f, ScopeKind::Site, "S1");
        f.scopes[site as usize].fired_on = Failure::Link as u8 | Failure::Account as u8;
        // Failing mostly for the account: the merchant's, not the shop's.
        assert!(f.explained_elsewhere(site, t0.plus_secs(600)));
        assert_eq!(f.incidents.len(), 1);
        // Failing mostly on its link: its own.
        for k in 0..5i64 {
            f.observe(
                0,
                t0.plus_secs(480 + 20 * k),
                Some(Failure::Link),
                Source::Other,
            );
            f.observe(
                1,
                t0.plus_secs(490 + 20 * k),
                Some(Failure::Link),
                Source::Other,
            );
        }
        assert!(!f.explained_elsewhere(site, t0.plus_secs(600)));
    }

    #[test]
    fn one_terminal_losing_its_link_in_a_shop_refused_for_its_merchant_is_no_shops_fault() {
        // Shop S1's four terminals are its merchant's; the account is
        // refused on all four, which the merchant's incident holds.
        // Terminal 3 also loses its link now and then, on its own (its
        // signal, its cable): refused like the others, it is not failing
        // as they do on its link.
        let mut f = shops(4, 4, &[]);
        let t0 = Ts::from_secs(1_800_000_000);
        open_with(
            &mut f,
            (ScopeKind::Merchant, "M1"),
            Failure::Account as u8,
            t0,
            0..4,
        );
        for step in 0..4i64 {
            for t in 0..4u32 {
                let ts = t0.plus_secs(30 + 60 * step + i64::from(t));
                f.observe_refusal(t, ts, Failure::Account, Purchase::default());
            }
            for k in 0..2i64 {
                f.observe(
                    3,
                    t0.plus_secs(45 + 60 * step + 5 * k),
                    Some(Failure::Link),
                    Source::Other,
                );
            }
        }
        let site = scope(&f, ScopeKind::Site, "S1");
        f.scopes[site as usize].fired_on = Failure::Link as u8 | Failure::Account as u8;
        assert!(f.explained_elsewhere(site, t0.plus_secs(300)));
    }

    #[test]
    fn one_terminal_on_another_host_down_in_a_shop_in_its_hosts_outage_is_no_shops_fault() {
        // Shop S1's terminals 0..3 pay through host H1, in its outage;
        // terminal 3 pays through H2 and loses its link with them, with no
        // sign of the shop's power: its own host, its own cable.
        let (f, t0, site) = shop_in_its_hosts_outage(&[3], |f| {
            f.set_scope(3, ScopeKind::Host, "H2");
        });
        assert!(f.explained_elsewhere(site, t0.plus_secs(300)));
    }

    /// Shop S1 of four terminals among twelve, the twelve but `off_host`
    /// (of no known host until `set_up` says) in host H1's outage, and the
    /// shop's four losing their links: the fleet, the outage's start and
    /// the shop's scope, fired on links.
    fn shop_in_its_hosts_outage(off_host: &[u32], set_up: impl Fn(&mut Fleet)) -> (Fleet, Ts, u32) {
        let mut f = shops(4, 12, off_host);
        set_up(&mut f);
        let t0 = Ts::from_secs(1_800_000_000);
        let on_host = (0..12).filter(|t| !off_host.contains(t));
        open_with(
            &mut f,
            (ScopeKind::Host, "H1"),
            Failure::Link as u8,
            t0,
            on_host,
        );
        links_failing(&mut f, 0..4, t0);
        let site = scope(&f, ScopeKind::Site, "S1");
        f.scopes[site as usize].fired_on = Failure::Link as u8;
        (f, t0, site)
    }

    #[test]
    fn a_shops_two_terminals_failing_on_their_releases_defect_are_no_shops_fault() {
        // Shop S1's two terminals run firmware F1, whose incident (fired on
        // its crashes) holds them; both lose their links at once, as the
        // defect sometimes has them do.
        let release_shop = |reads_as: Cause| {
            let mut f = shops(2, 2, &[]);
            for t in 0..2u32 {
                f.set_scope(t, ScopeKind::Firmware, "F1");
            }
            let t0 = Ts::from_secs(1_800_000_000);
            let i = open_with(
                &mut f,
                (ScopeKind::Firmware, "F1"),
                Failure::Device as u8,
                t0,
                0..2,
            );
            let mut belief = [0.0; Cause::COUNT];
            belief[reads_as.index()] = 1.0;
            for t in 0..2u32 {
                f.vote(i, t, &belief);
            }
            links_failing(&mut f, 0..2, t0);
            let site = scope(&f, ScopeKind::Site, "S1");
            f.scopes[site as usize].fired_on = Failure::Link as u8;
            f.explained_elsewhere(site, t0.plus_secs(300))
        };
        // Their diagnoses read as the defect: the release's.
        assert!(release_shop(Cause::SoftwareBug));
        // As the shop's router: the shop's own fault.
        assert!(!release_shop(Cause::NetworkLan));
    }

    #[test]
    fn a_shops_device_incident_set_apart_takes_its_devices_failing_still() {
        // Shop S1's replies garbled on terminals 0 and 1: its incident of
        // that. Refusals of its account then set it apart (a second fault
        // holds the shop); the garbling goes on, and the incident set
        // apart takes it in rather than a twin opening beside it.
        let mut f = shops(3, 30, &[]);
        let t0 = Ts::from_secs(1_800_000_000);
        let inc = open_with(
            &mut f,
            (ScopeKind::Site, "S1"),
            Failure::Device as u8,
            t0,
            0..2,
        );
        f.incidents[inc as usize].device = Some(Cause::TransmissionCorruption);
        let site = scope(&f, ScopeKind::Site, "S1");
        let sc = &mut f.scopes[site as usize];
        sc.apart = sc.incident.take();
        for step in 0..4i64 {
            for t in 0..2u32 {
                let ts = t0.plus_secs(60 + 60 * step + i64::from(t));
                f.observe_device(t, ts, Cause::TransmissionCorruption);
            }
        }
        let shops: Vec<u32> = f
            .open
            .iter()
            .copied()
            .filter(|&o| f.incidents[o as usize].scope == site)
            .collect();
        assert_eq!(shops, vec![inc]);
    }

    #[test]
    fn a_shops_terminals_dark_in_their_carriers_outage_are_no_sign_of_the_shop() {
        // Shop S1's terminals 0 and 1 are on one carrier, in its outage,
        // and went dark with it; terminal 2, on another, is refused for the
        // account now and then: the darkness is the carrier's, the
        // refusals the terminal's, and nothing is the shop's.
        let (mut f, t0) = shop_beside_its_carriers_outage(2);
        links_failing(&mut f, 0..2, t0);
        for t in 0..2u32 {
            f.note_dark(t, t0.plus_secs(200));
        }
        for step in 0..3i64 {
            let ts = t0.plus_secs(100 + 60 * step);
            f.observe_refusal(2, ts, Failure::Account, Purchase::default());
        }
        let site = scope(&f, ScopeKind::Site, "S1");
        f.scopes[site as usize].fired_on = Failure::Link as u8 | Failure::Account as u8;
        assert!(f.explained_elsewhere(site, t0.plus_secs(300)));
    }

    #[test]
    fn a_shops_terminal_down_with_its_carriers_terminals_is_the_shops_fault() {
        // Shop S1's terminals 0..3 are on one carrier, in its outage;
        // terminal 3, on another, loses its link with them: one terminal
        // outside the incident failing as its members do is the shop (its
        // router, gone amid the carrier's outage).
        let (mut f, t0) = shop_beside_its_carriers_outage(3);
        links_failing(&mut f, 0..4, t0);
        let site = scope(&f, ScopeKind::Site, "S1");
        f.scopes[site as usize].fired_on = Failure::Link as u8;
        assert!(!f.explained_elsewhere(site, t0.plus_secs(300)));
    }

    /// Shop S1 of `on_carrier` + 1 terminals: the first `on_carrier` on
    /// one carrier, whose outage's incident holds them from the time
    /// returned, the last on another carrier.
    fn shop_beside_its_carriers_outage(on_carrier: u32) -> (Fleet, Ts) {
        let mut f = shops(on_carrier + 1, on_carrier + 1, &[]);
        for t in 0..on_carrier {
            f.set_scope(t, ScopeKind::Carrier, "cmcc@hangzhou");
        }
        f.set_scope(on_carrier, ScopeKind::Carrier, "unicom@hangzhou");
        let t0 = Ts::from_secs(1_800_000_000);
        open_with(
            &mut f,
            (ScopeKind::Carrier, "cmcc@hangzhou"),
            Failure::Link as u8,
            t0,
            0..on_carrier,
        );
        (f, t0)
    }

    #[test]
    fn a_shops_terminal_of_unknown_host_failing_with_the_others_in_its_outage_is_no_shops_fault() {
        // Shop S1's terminals 0 and 1 are in host H1's outage; terminals 2
        // and 3's vendor reports no host. All four time out alike.
        let (mut f, t0, site) = shop_in_its_hosts_outage(&[2, 3], |_| {});
        assert!(f.explained_elsewhere(site, t0.plus_secs(300)));
        // No shop's incident opened beside the host's.
        let keys: Vec<&str> = f.incidents.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(keys, vec!["H1"]);
        // Both refused for the account as well, which no host's outage
        // does: not presumed in it, two of the shop's terminals failing on
        // their own are a fault of the shop's or its merchant's. (One
        // alone would be its own: see
        // `one_terminal_on_another_host_down_in_a_shop_in_its_hosts_outage_is_no_shops_fault`.)
        for step in 0..3i64 {
            for t in 2..4u32 {
                let ts = t0.plus_secs(250 + 10 * step + i64::from(t));
                f.observe_refusal(t, ts, Failure::Account, Purchase::default());
            }
        }
        f.scopes[site as usize].fired_on = Failure::Link as u8 | Failure::Account as u8;
        assert!(!f.explained_elsewhere(site, t0.plus_secs(300)));
    }

    #[test]
    fn one_terminals_mains_failing_in_its_hosts_outage_is_no_shops_power() {
        // Shop S1's two terminals time out in host H1's outage.
        let mut f = shops(2, 11, &[]);
        let t0 = Ts::from_secs(1_800_000_000);
        open_with(
            &mut f,
            (ScopeKind::Host, "H1"),
            Failure::Link as u8,
            t0,
            0..11,
        );
        links_failing(&mut f, 0..2, t0);
        let site = scope(&f, ScopeKind::Site, "S1");
        f.scopes[site as usize].fired_on = Failure::Link as u8;
        let now = t0.plus_secs(300);
        // One of them reads low voltage: its adapter.
        f.note_power(0, t0.plus_secs(200));
        assert!(f.explained_elsewhere(site, now));
        // Both: the shop's mains, whatever its host does.
        f.note_power(1, t0.plus_secs(210));
        assert!(!f.explained_elsewhere(site, now));
    }

    #[test]
    fn a_shop_refused_for_its_merchant_is_its_merchants_while_its_app_holds_it() {
        // Merchant M1's incident (its account) holds its shop's two
        // terminals; their app's defect has its own incident, which takes
        // them in as they crash. Refused for the account lately, the shop
        // is the merchant's.
        let mut f = shops(2, 2, &[]);
        for t in 0..2 {
            f.set_scope(t, ScopeKind::AppVersion, "9.9");
        }
        let t0 = Ts::from_secs(1_800_000_000);
        let account = Failure::Account as u8;
        open_with(&mut f, (ScopeKind::Merchant, "M1"), account, t0, 0..2);
        let device = Failure::Device as u8;
        let a = open_with(
            &mut f,
            (ScopeKind::AppVersion, "9.9"),
            device,
            t0.plus_secs(60),
            [],
        );
        for step in 0..3i64 {
            for t in 0..2u32 {
                let ts = t0.plus_secs(120 + 60 * step + i64::from(t));
                f.observe_refusal(t, ts, Failure::Account, Purchase::default());
            }
        }
        // Their app crashes: its incident holds them now.
        for t in 0..2u32 {
            f.observe(t, t0.plus_secs(290), Some(Failure::Device), Source::Other);
        }
        assert_eq!((f.incident_of[0], f.incident_of[1]), (a, a));
        let site = scope(&f, ScopeKind::Site, "S1");
        f.scopes[site as usize].fired_on = Failure::Account as u8;
        assert!(f.explained_elsewhere(site, t0.plus_secs(300)));
    }

    #[test]
    fn a_firmware_whose_refused_terminals_run_the_refused_app_opens_nothing() {
        // Three hundred terminals in a hundred merchants. Terminals 0 and 3
        // run app 7.4.2 on firmware pax/3.0; terminal 6 runs pax/3.0 too,
        // its app version unreported.
        let mut f = Fleet::default();
        let t0 = Ts::from_secs(1_800_000_000);
        for t in 0..300u32 {
            f.set_scope(t, ScopeKind::Merchant, &format!("M{}", t / 3));
            if t != 6 {
                let version = if t == 0 || t == 3 { "7.4.2" } else { "7.5.0" };
                f.set_scope(t, ScopeKind::AppVersion, version);
            }
            let firmware = if t % 3 == 0 && t <= 6 {
                "pax/3.0"
            } else {
                "pax/3.1"
            };
            f.set_scope(t, ScopeKind::Firmware, firmware);
            f.observe(t, t0, None, Source::Payment(0));
        }
        let at = |min: i64| t0.plus_secs(3600 + min * 60);
        for min in [0, 3, 6] {
            f.observe_release_refused(0, at(min));
            f.observe_release_refused(3, at(min + 1));
        }
        let keys: Vec<&str> = f.incidents.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(keys, vec!["7.4.2"]);
        // Terminal 6, of no known version, refused alike: the firmware's
        // refused terminals are mostly the version's.
        for min in [7, 9, 11] {
            f.observe_release_refused(6, at(min));
            f.observe_release_refused(0, at(min + 1));
            f.observe_release_refused(3, at(min + 1));
        }
        let keys: Vec<&str> = f.incidents.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(keys, vec!["7.4.2"]);
    }

    #[test]
    fn an_expired_batch_or_a_crashing_release_stays_open_through_a_quiet_quarter_hour() {
        // Incidents on a certificate batch (expired), a firmware (its
        // crashes), the same firmware on its links, and a shop (its links),
        // each with its last failure at t0.
        let mut f = Fleet::default();
        f.set_scope(0, ScopeKind::Certificate, "2026-11-07T03:10:00Z");
        f.set_scope(1, ScopeKind::Firmware, "pax/3.0");
        f.set_scope(2, ScopeKind::Firmware, "pax/3.1");
        f.set_scope(3, ScopeKind::Site, "S1");
        let t0 = Ts::from_secs(1_800_000_000);
        let opened: Vec<u32> = [
            (
                ScopeKind::Certificate,
                "2026-11-07T03:10:00Z",
                Failure::Expired,
            ),
            (ScopeKind::Firmware, "pax/3.0", Failure::Device),
            (ScopeKind::Firmware, "pax/3.1", Failure::Link),
            (ScopeKind::Site, "S1", Failure::Link),
        ]
        .into_iter()
        .map(|(kind, key, on)| open_with(&mut f, (kind, key), on as u8, t0, []))
        .collect();
        // Twenty quiet minutes: the link failures are over, the expired
        // batch and the defect not.
        f.tick(t0.plus_secs(1200));
        let open: Vec<bool> = opened
            .iter()
            .map(|&i| f.incidents[i as usize].closed_at.is_none())
            .collect();
        assert_eq!(open, vec![true, true, false, false]);
        f.tick(t0.plus_secs(1900));
        assert!(f.incidents.iter().all(|i| i.closed_at.is_some()));
    }

    #[test]
    fn a_host_going_down_takes_in_no_carrier_whose_terminals_went_dark() {
        // Terminals 0-3 are on carrier cucc in one city, whose incident is
        // open; all twelve pay through host H1, which then goes down.
        let host_opens_over_a_carrier = |dark: bool| {
            let mut f = Fleet::default();
            for t in 0..12u32 {
                f.set_scope(t, ScopeKind::Site, &format!("S{t}"));
                f.set_scope(t, ScopeKind::Host, "H1");
                if t < 4 {
                    f.set_scope(t, ScopeKind::Carrier, "cucc@lvliang");
                }
            }
            let t0 = Ts::from_secs(1_800_000_000);
            let link = Failure::Link as u8;
            let c = open_with(&mut f, (ScopeKind::Carrier, "cucc@lvliang"), link, t0, 0..4);
            for t in (0..4).filter(|_| dark) {
                f.note_dark(t, t0.plus_secs(60));
            }
            open_with(&mut f, (ScopeKind::Host, "H1"), link, t0.plus_secs(600), []);
            f.incidents[c as usize].merged_into
        };
        // Their heartbeats dark: the carrier's own outage, no host's.
        assert_eq!(host_opens_over_a_carrier(true), None);
        // Their payments failing alone: the host's outage seen from closer.
        assert_eq!(host_opens_over_a_carrier(false), Some(1));
    }
}
