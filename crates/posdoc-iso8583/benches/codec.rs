//! decode + encode of a 25-field CUP sale response, the shape the gateway
//! and simulator handle most. Throughput is reported in messages/s.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use posdoc_iso8583::{Dialect, Message, Value, decode, decode_view, encode, encode_view_into};

fn sale() -> Message {
    let t = |s: &str| Value::Text(s.to_string());
    let mut m = Message {
        mti: "0210".into(),
        tpdu: Some([0x60, 0x00, 0x03, 0x00, 0x00]),
        header: Some(vec![0x60, 0x31, 0x00, 0x31, 0x10, 0x00]),
        ..Message::default()
    };
    let f = &mut m.fields;
    f.insert(2, t("6222021234567890123"));
    f.insert(3, t("000000"));
    f.insert(4, t("000000012345"));
    f.insert(11, t("000123"));
    f.insert(12, t("153012"));
    f.insert(13, t("1202"));
    f.insert(14, t("2812"));
    f.insert(15, t("1202"));
    f.insert(22, t("071"));
    f.insert(23, t("001"));
    f.insert(25, t("00"));
    f.insert(32, t("48020000"));
    f.insert(35, t("6222021234567890123D28121010000012345"));
    f.insert(37, t("123456789012"));
    f.insert(38, t("A12345"));
    f.insert(39, t("00"));
    f.insert(41, t("12345678"));
    f.insert(42, t("123456789012345"));
    f.insert(44, t("0102000000001020000"));
    f.insert(49, t("156"));
    f.insert(52, Value::Bytes(vec![0x11; 8]));
    f.insert(55, Value::Bytes((0..96).collect()));
    f.insert(60, t("22000001000601"));
    f.insert(63, Value::Bytes(b"CUP".to_vec()));
    f.insert(64, Value::Bytes(vec![0xA5; 8]));
    m
}

fn bench(c: &mut Criterion) {
    let msg = sale();
    assert_eq!(msg.fields.len(), 25);
    let wire = encode(Dialect::Cup, &msg).expect("sale message encodes");
    let mut g = c.benchmark_group("cup_sale_25_fields");
    g.throughput(Throughput::Elements(1));
    g.bench_function("decode", |b| {
        b.iter(|| decode(Dialect::Cup, black_box(&wire)))
    });
    g.bench_function("encode", |b| {
        b.iter(|| encode(Dialect::Cup, black_box(&msg)))
    });
    g.bench_function("decode+encode", |b| {
        b.iter(|| {
            let m = decode(Dialect::Cup, black_box(&wire)).expect("decodes");
            encode(Dialect::Cup, &m).expect("encodes")
        })
    });
    g.bench_function("view decode", |b| {
        b.iter(|| decode_view(Dialect::Cup, black_box(&wire)).map(|v| v.len()))
    });
    // Zero-copy path, one output buffer reused across iterations.
    let mut out = Vec::with_capacity(wire.len());
    g.bench_function("view decode+encode", |b| {
        b.iter(|| {
            out.clear();
            let v = decode_view(Dialect::Cup, black_box(&wire)).expect("decodes");
            encode_view_into(Dialect::Cup, &v, &mut out).expect("encodes");
            out.len()
        })
    });
    assert_eq!(out, wire);
    // Floor set by the owned data model alone: 25 field allocations collected
    // into a BTreeMap and dropped, no parsing. decode cannot beat this.
    g.bench_function("model_alloc_floor", |b| {
        b.iter(|| {
            let w = black_box(&wire);
            let v: Vec<(u8, Value)> = (0..25u8)
                .map(|i| {
                    (
                        i,
                        Value::Bytes(w[usize::from(i)..usize::from(i) + 8].to_vec()),
                    )
                })
                .collect();
            v.into_iter()
                .collect::<std::collections::BTreeMap<u8, Value>>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
