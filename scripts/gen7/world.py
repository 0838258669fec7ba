"""gen7 world model: a bank-acquirer's POS fleet in Guangdong / Guangxi / Fujian.

Everything here is the test team's own invention.  Deterministic: every random
choice goes through a random.Random seeded from a string (sha512 based).
"""
import calendar
import random
import time

CITIES = {
    # name: (province, admin code, zh, abbr, lat, lon)
    'guangzhou': ('GD', '4401', '广州', 'GZ', 23.13, 113.26),
    'shenzhen': ('GD', '4403', '深圳', 'SZ', 22.54, 114.06),
    'foshan': ('GD', '4406', '佛山', 'FS', 23.02, 113.12),
    'dongguan': ('GD', '4419', '东莞', 'DG', 23.02, 113.75),
    'zhuhai': ('GD', '4404', '珠海', 'ZH', 22.27, 113.58),
    'shantou': ('GD', '4405', '汕头', 'ST', 23.35, 116.68),
    'zhanjiang': ('GD', '4408', '湛江', 'ZJ', 21.27, 110.36),
    'huizhou': ('GD', '4413', '惠州', 'HZ', 23.11, 114.42),
    'nanning': ('GX', '4501', '南宁', 'NN', 22.82, 108.32),
    'liuzhou': ('GX', '4502', '柳州', 'LZ', 24.33, 109.41),
    'guilin': ('GX', '4503', '桂林', 'GL', 25.27, 110.29),
    'fuzhou': ('FJ', '3501', '福州', 'FZ', 26.07, 119.30),
    'xiamen': ('FJ', '3502', '厦门', 'XM', 24.48, 118.09),
    'quanzhou': ('FJ', '3505', '泉州', 'QZ', 24.87, 118.68),
}
DISTRICTS = ['天河', '越秀', '福田', '南山', '宝安', '顺德', '南海', '长安', '虎门', '香洲',
             '龙湖', '赤坎', '惠城', '青秀', '兴宁', '城中', '七星', '鼓楼', '思明', '湖里',
             '丰泽', '晋江', '番禺', '白云', '龙岗', '石龙', '金湾', '江南', '象山', '仓山']

CARRIERS = [('cmcc', 0.55), ('cucc', 0.25), ('ctcc', 0.20)]

# acquirer host channels of the bank
HOSTS = {'H1': '广州前置', 'H2': '深圳前置', 'H3': '福州前置', 'H4': '南宁前置'}

# card issuers: slug, zh, BINs (credit BINs marked with c:), weight
ISSUERS = [
    ('icbc', '工商银行', ['622202', '621226', 'c:625330'], 0.19),
    ('ccb', '建设银行', ['621700', '621081', 'c:436742'], 0.17),
    ('abc', '农业银行', ['622848', '622845', 'c:622836'], 0.14),
    ('boc', '中国银行', ['621661', 'c:456351'], 0.08),
    ('bocom', '交通银行', ['622260', 'c:458123'], 0.05),
    ('cmb', '招商银行', ['621483', 'c:622588'], 0.09),
    ('cgb', '广发银行', ['621462', 'c:622568'], 0.05),
    ('pab', '平安银行', ['623058', 'c:622155'], 0.04),
    ('cib', '兴业银行', ['622909', 'c:625087'], 0.04),
    ('psbc', '邮储银行', ['621799', '621098'], 0.06),
    ('rcc', '农村信用社', ['623595', '621396'], 0.05),
    ('bbgb', '北部湾银行', ['623196'], 0.02),
    ('xmbank', '厦门银行', ['622399'], 0.02),
]

# vendor -> (telemetry fields, heartbeat interval s, buffers heartbeats while offline,
#            journals connect failures as txn, reports error stage)
VENDORS = {
    'pax': (['online', 'rssi_dbm', 'latency_ms', 'packet_loss', 'supply_v', 'battery_pct',
             'power_events', 'reboot', 'storage_used_pct', 'memory_used_pct', 'key_check',
             'printer', 'app_crashes', 'temp_c'], 60, True, True, True),
    'newland': (['online', 'rssi_dbm', 'latency_ms', 'battery_pct', 'power_events', 'reboot',
                 'storage_used_pct', 'cpu_pct', 'card_reader_errors', 'keypad_errors',
                 'clock_skew_s', 'printer'], 120, False, True, True),
    'landi': (['online', 'latency_ms', 'packet_loss', 'supply_v', 'reboot', 'memory_used_pct',
               'cpu_pct', 'temp_c', 'key_check', 'card_reader_errors', 'battery_pct'],
              90, True, False, True),
    'verifone': (['online', 'latency_ms', 'reboot', 'printer', 'keypad_errors', 'key_check',
                  'supply_v'], 300, False, False, False),
    'ingenico': (['online', 'rssi_dbm', 'latency_ms', 'packet_loss', 'battery_pct',
                  'power_events', 'reboot', 'storage_used_pct', 'memory_used_pct', 'temp_c',
                  'printer', 'clock_skew_s'], 180, True, True, True),
    'sunmi': (['online', 'rssi_dbm', 'latency_ms', 'packet_loss', 'battery_pct', 'supply_v',
               'reboot', 'storage_used_pct', 'memory_used_pct', 'cpu_pct', 'temp_c',
               'app_crashes', 'printer'], 60, True, False, True),
    'centerm': (['online', 'latency_ms', 'supply_v', 'power_events', 'reboot',
                 'storage_used_pct', 'key_check', 'keypad_errors', 'card_reader_errors',
                 'printer', 'rssi_dbm', 'battery_pct'], 120, False, True, True),
}

# model: vendor, form, nets, battery, v_nom, platform, firmware versions (weights), tls cert
MODELS = {
    'S800': ('pax', 'counter', ['ethernet'], False, 12.0, 'legacy', [('3.2.0', 3), ('3.2.4', 5)], True),
    'S90': ('pax', 'portable', ['cellular', 'wifi'], True, 5.0, 'legacy', [('3.1.8', 4), ('3.2.4', 4)], True),
    'A920': ('pax', 'smart', ['cellular', 'wifi'], True, 5.0, 'android', [('2.3.27', 4), ('2.3.31', 5)], True),
    'N910': ('newland', 'smart', ['cellular', 'wifi'], True, 5.0, 'android', [('N910_V1.6.2', 5), ('N910_V1.7.0', 3)], True),
    'ME31': ('newland', 'portable', ['cellular'], True, 5.0, 'legacy', [('ME31-2.8.1', 6), ('ME31-2.8.3', 2)], False),
    'SP630': ('newland', 'counter', ['ethernet', 'wifi'], False, 9.0, 'legacy', [('SP630-1.12', 5), ('SP630-1.14', 3)], True),
    'A8': ('landi', 'smart', ['cellular', 'wifi'], True, 5.0, 'android', [('LD8.4.15', 5), ('LD8.5.02', 3)], True),
    'E550': ('landi', 'counter', ['ethernet'], False, 12.0, 'legacy', [('E5.0.33', 5), ('E5.1.07', 2)], True),
    'VX520': ('verifone', 'counter', ['ethernet'], False, 12.0, 'legacy', [('QT5200W1', 5)], False),
    'V240m': ('verifone', 'portable', ['cellular', 'wifi'], True, 5.0, 'legacy', [('V240-4.2.1', 4)], True),
    'iCT250': ('ingenico', 'counter', ['ethernet'], False, 9.0, 'legacy', [('T3-11.40', 4), ('T3-11.52', 3)], True),
    'Move5000': ('ingenico', 'portable', ['cellular', 'wifi'], True, 5.0, 'legacy', [('T3-12.06', 5)], True),
    'P2': ('sunmi', 'smart', ['cellular', 'wifi'], True, 5.0, 'android', [('P2-1.3.6', 4), ('P2-1.4.0', 4)], True),
    'T2': ('sunmi', 'desk', ['ethernet', 'wifi'], False, 12.0, 'android', [('T2-2.1.9', 5), ('T2-2.2.3', 3)], True),
    'K9': ('centerm', 'smart', ['cellular', 'wifi'], True, 5.0, 'android', [('K9-3.0.7', 5)], True),
    'C960': ('centerm', 'counter', ['ethernet'], False, 9.0, 'legacy', [('C960-5.6', 4), ('C960-5.7', 3)], True),
}
APP_VERSIONS = {
    'android': [('6.2.3', 4), ('6.3.0', 5), ('6.1.8', 2)],
    'legacy': [('5.1.2', 5), ('5.1.4', 4), ('5.0.9', 2)],
}
COUNTER_MODELS = ['S800', 'SP630', 'E550', 'VX520', 'iCT250', 'C960', 'T2']
PORTABLE_MODELS = ['S90', 'A920', 'N910', 'ME31', 'A8', 'V240m', 'Move5000', 'P2', 'K9']

SUPER_CHAINS = ['岭南惠万家超市', '粤客隆生活超市', '八桂优选超市', '闽鲜生超市', '南粤天天购超市']
PHARMA_CHAINS = ['百草堂大药房', '康宁大药房', '南方医保大药房', '闽康大药房', '桂济堂药房']
PETROL_CHAINS = ['粤能石油加油站', '桂通能源加油站', '闽海石化加油站']
CONV_CHAINS = ['美益家便利店', '快乐站便利店']

# kind: (name pattern, mcc, (open_h, close_h), txn/h at peak, amount median fen, n_terms)
STREET = [
    ('{s}记烧腊', '5812', (9.5, 21.0), 6, 4500, (1, 1)),
    ('{d}肠粉店', '5814', (6.5, 14.5), 8, 1500, (1, 1)),
    ('{s}氏凉茶铺', '5499', (8.0, 22.5), 5, 1200, (1, 1)),
    ('{s}记螺蛳粉', '5814', (9.0, 23.5), 7, 2000, (1, 1)),
    ('沙县小吃{d}店', '5814', (7.0, 22.0), 6, 1800, (1, 1)),
    ('{d}{s}家茶庄', '5499', (9.5, 20.0), 2, 38000, (1, 1)),
    ('{s}发手机通讯', '5732', (10.0, 22.0), 2, 180000, (1, 2)),
    ('{s}兴五金', '5251', (8.0, 18.5), 3, 9000, (1, 1)),
    ('{d}{s}氏服饰', '5651', (10.0, 22.0), 3, 26000, (1, 2)),
    ('{s}福金行', '5944', (10.0, 21.5), 1.2, 680000, (1, 2)),
    ('{d}海鲜酒家', '5812', (10.5, 22.5), 9, 42000, (1, 3)),
    ('{d}{s}大酒店', '7011', (0.0, 24.0), 3, 56000, (2, 3)),
    ('{s}记水果', '5499', (8.0, 22.5), 6, 3500, (1, 1)),
    ('{d}大排档', '5812', (17.0, 26.0), 10, 16000, (1, 2)),
    ('{s}美发', '7230', (10.0, 22.0), 2, 12000, (1, 1)),
    ('{d}{s}眼镜', '8043', (9.5, 21.5), 1.5, 68000, (1, 1)),
    ('{s}宝母婴', '5641', (9.5, 21.5), 2, 21000, (1, 1)),
]
SURNAMES = ['陈', '黄', '李', '梁', '林', '张', '吴', '何', '郑', '罗', '蔡', '谢', '许', '邓', '冯', '潘']


def wchoice(rng, pairs):
    tot = sum(w for _, w in pairs)
    x = rng.random() * tot
    for v, w in pairs:
        x -= w
        if x < 0:
            return v
    return pairs[-1][0]


def iso(t):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(int(t)))


def iso_local(t):
    return time.strftime('%Y-%m-%dT%H:%M:%S+08:00', time.gmtime(int(t) + 8 * 3600))


def parse_iso(s):
    """RFC 3339 -> epoch seconds (Z or +hh:mm)."""
    s = s.strip()
    off = 0
    if s.endswith('Z'):
        core = s[:-1]
    else:
        core, sign, tz = s[:-6], s[-6], s[-5:]
        off = (int(tz[:2]) * 3600 + int(tz[3:]) * 60) * (1 if sign == '+' else -1)
    if '.' in core:
        core = core.split('.')[0]
    return calendar.timegm(time.strptime(core, '%Y-%m-%dT%H:%M:%S')) - off


class World:
    pass


def build_world(seed):
    rng = random.Random('gen7-world-%d' % seed)
    w = World()
    w.seed = seed
    day = 2 + (seed * 7) % 27
    start_local = rng.choice([8, 9, 10, 13, 15, 16])
    w.T0 = calendar.timegm((2026, 11, day, start_local, 0, 0)) - 8 * 3600
    w.T1 = w.T0 + 6 * 3600
    w.day0_local = calendar.timegm((2026, 11, day, 0, 0, 0)) - 8 * 3600  # local midnight (UTC epoch)
    gd = ['guangzhou', 'shenzhen', 'foshan', 'dongguan', 'zhuhai', 'shantou', 'zhanjiang', 'huizhou']
    gx = ['nanning', 'liuzhou', 'guilin']
    fj = ['fuzhou', 'xiamen', 'quanzhou']
    cities = ['guangzhou', 'shenzhen'] + rng.sample(gd[2:], 3) + rng.sample(gx, 2) + rng.sample(fj, 2)
    w.cities = sorted(cities)
    w.merchants, w.sites, w.terms = [], [], []
    w.target = rng.randint(285, 315)
    w._mseq = 0
    w._serials = set()

    def host_for(city):
        prov = CITIES[city][0]
        if prov == 'FJ':
            return 'H3'
        if prov == 'GX':
            return 'H4' if rng.random() < 0.9 else 'H1'
        if city in ('shenzhen', 'dongguan', 'huizhou', 'zhuhai'):
            return 'H2' if rng.random() < 0.85 else 'H1'
        return 'H1' if rng.random() < 0.9 else 'H2'

    def new_merchant(name, mcc, city, kind, hours, rate, amt, chain=None):
        w._mseq += 1
        code = CITIES[city][1]
        mid = '898%s%s%04d' % (code, mcc, w._mseq * 7 % 10000)
        m = dict(merchant_id=mid, name=name, mcc=mcc, city=city, kind=kind, hours=hours,
                 rate=rate, amt=amt, chain=chain, seq=w._mseq,
                 settlement='direct' if rng.random() < 0.8 else 'indirect',
                 card_rate=rng.choice([0.0055, 0.006, 0.006, 0.0058]) if mcc not in ('5541', '5411', '5912') else rng.choice([0.0038, 0.005, 0.0055]),
                 qr_rate=rng.choice([0.0038, 0.0038, 0.0035, 0.003]), sites=[], tcount=0)
        if mcc == '5812' and rng.random() < 0.3:
            m['fixed_fee'] = 0
        w.merchants.append(m)
        return m

    def new_site(m, city, label):
        n = len(m['sites']) + 1
        c = CITIES[city]
        sid = '%s-%03d-%d' % (c[3], m['seq'], n)
        s = dict(site_id=sid, merchant_id=m['merchant_id'], name='%s %s' % (m['name'], label), city=city,
                 lat=round(c[4] + rng.uniform(-0.12, 0.12), 4), lon=round(c[5] + rng.uniform(-0.12, 0.12), 4),
                 terms=[], kind=m['kind'], hours=m['hours'], merchant=m)
        # some sites have their own opening hours variation
        oh, ch = m['hours']
        if ch - oh < 24:
            s['hours'] = (oh + rng.choice([0, 0, -0.5, 0.5]), ch + rng.choice([0, 0, 0.5, -0.5, 1.0]))
        m['sites'].append(s)
        w.sites.append(s)
        return s

    def serial_for(vendor, model):
        while True:
            if vendor == 'pax':
                s = '1%d%08d' % (rng.randint(7, 9), rng.randint(0, 99999999))
            elif vendor == 'newland':
                s = '%s%07d' % (model[:4].upper(), rng.randint(0, 9999999))
            elif vendor == 'landi':
                s = 'LD%s%08d' % (model, rng.randint(0, 99999999))
            elif vendor == 'verifone':
                s = '%03d-%03d-%03d' % (rng.randint(200, 499), rng.randint(0, 999), rng.randint(0, 999))
            elif vendor == 'ingenico':
                s = '%014d' % rng.randint(10 ** 12, 10 ** 13)
            elif vendor == 'sunmi':
                s = '%s%s%08d' % (model, 'SN', rng.randint(0, 99999999))
            else:
                s = 'CT%s%07d' % (model, rng.randint(0, 9999999))
            if s not in w._serials:
                w._serials.add(s)
                return s

    def new_term(s, model, role, net=None):
        m = s['merchant']
        m['tcount'] += 1
        vendor, form, nets, battery, vnom, plat, fws, tls = MODELS[model]
        if net is None or net not in nets:
            net = nets[0] if len(nets) == 1 else (net if net in nets else rng.choice(nets))
        city = s['city']
        tid = '%s%03d%03d' % (CITIES[m['city']][1][:2], m['seq'], m['tcount'])
        inst_y = rng.choice([2021, 2022, 2023, 2024, 2024, 2025, 2025, 2026])
        inst_m = rng.randint(1, 12 if inst_y < 2026 else 10)
        installed = calendar.timegm((inst_y, inst_m, rng.randint(1, 28), 2, 0, 0))
        t = dict(terminal_id=tid, vendor=vendor, model=model, serial=serial_for(vendor, model),
                 firmware=wchoice(rng, fws), app_version=wchoice(rng, APP_VERSIONS[plat]),
                 merchant_id=m['merchant_id'], site_id=s['site_id'], network=net,
                 carrier=wchoice(rng, CARRIERS) if net == 'cellular' else None,
                 host=host_for(city), installed=installed, city=city, role=role, form=form,
                 battery=battery, v_nom=vnom, platform=plat, merchant=m, site=s, mcc=m['mcc'])
        if tls:
            yrs = rng.choice([2, 3, 3, 5])
            exp_y = inst_y + yrs
            if exp_y < 2027 and rng.random() < 0.7:
                exp_y = 2027 + rng.randint(0, 2)      # re-issued remotely
            t['cert_not_after'] = calendar.timegm((exp_y, inst_m, 1, 0, 0, 0)) - 1
            if t['cert_not_after'] < w.T0 + 2 * 86400:
                # renewed remotely in time; a few come up for renewal within weeks
                t['cert_not_after'] = (w.T0 + rng.randint(3, 40) * 86400 - w.T0 % 86400 - 1) if rng.random() < 0.1 \
                    else calendar.timegm((rng.randint(2027, 2029), rng.randint(1, 12), 1, 0, 0, 0)) - 1
        else:
            t['cert_not_after'] = None
        if vendor == 'verifone' and model == 'VX520':
            t['app_version'] = rng.choice(['5.0.9', '5.0.9', '5.1.2'])
        # base physical state
        if net == 'cellular':
            weak = rng.random() < 0.12
            t['rssi0'] = rng.uniform(-104, -97) if weak else rng.uniform(-92, -63)
            t['lat0'] = rng.uniform(70, 190) * (1.4 if weak else 1.0)
            t['loss0'] = rng.uniform(0.0, 0.02) + (0.015 if weak else 0)
        elif net == 'wifi':
            weak = rng.random() < 0.10
            t['rssi0'] = rng.uniform(-79, -72) if weak else rng.uniform(-68, -42)
            t['lat0'] = rng.uniform(25, 80) * (1.3 if weak else 1.0)
            t['loss0'] = rng.uniform(0.0, 0.012) + (0.01 if weak else 0)
        else:
            t['rssi0'] = None
            t['lat0'] = rng.uniform(15, 55)
            t['loss0'] = rng.uniform(0.0, 0.004)
        t['docked'] = battery and (form == 'smart' and role in ('desk', 'counter') or rng.random() < 0.25)
        t['batt0'] = rng.uniform(88, 100) if t['docked'] else rng.uniform(45, 100)
        t['drain'] = rng.uniform(2.0, 7.0)     # %/h when undocked
        t['storage0'] = rng.choice([rng.uniform(18, 60), rng.uniform(18, 60), rng.uniform(60, 88)])
        t['mem0'] = rng.uniform(48, 78) if plat == 'android' else rng.uniform(30, 62)
        t['cpu0'] = rng.uniform(4, 22)
        outdoor = m['kind'] == 'petrol' and role == 'pump'
        t['temp0'] = rng.uniform(36, 47) if outdoor else rng.uniform(29, 41)
        t['skew0'] = rng.choice([0, 0, 0, 1, -1, 2]) if rng.random() < 0.93 else rng.randint(4, 25)
        t['v0'] = vnom * rng.uniform(0.985, 1.03)
        t['timeout'] = 60 if vendor in ('pax', 'sunmi', 'centerm', 'landi') else rng.choice([45, 60])
        s['terms'].append(t)
        w.terms.append(t)
        return t

    def lane_model(rng_):
        return rng_.choice(COUNTER_MODELS)

    def pick_city(prov_pref=None):
        pool = [c for c in w.cities if prov_pref is None or CITIES[c][0] == prov_pref]
        return rng.choice(pool or w.cities)

    # --- chains ---
    sup = rng.sample(SUPER_CHAINS, 2)
    for name in sup:
        prov = 'GX' if '八桂' in name else ('FJ' if '闽' in name else 'GD')
        hq = pick_city(prov)
        single = rng.random() < 0.6
        lane = lane_model(rng)
        mobile = rng.choice(PORTABLE_MODELS)
        m0 = new_merchant(name, '5411', hq, 'super', (rng.choice([7.5, 8.0]), rng.choice([22.0, 22.5])), 26, 9000, chain=name)
        for k in range(rng.randint(3, 5)):
            city = hq if k == 0 else pick_city(prov if rng.random() < 0.7 else None)
            m = m0 if single or k == 0 else new_merchant(name, '5411', city, 'super', m0['hours'], 26, 9000, chain=name)
            s = new_site(m, city, '%s%s店' % (CITIES[city][2], rng.choice(DISTRICTS)))
            for i in range(rng.randint(3, 6)):
                new_term(s, lane if rng.random() < 0.85 else lane_model(rng), 'lane',
                         'ethernet' if rng.random() < 0.85 else 'wifi')
            new_term(s, mobile, 'desk', rng.choice(['wifi', 'cellular']))
    for name in rng.sample(PHARMA_CHAINS, 2):
        prov = 'FJ' if '闽' in name else ('GX' if '桂' in name else 'GD')
        hq = pick_city(prov)
        m = new_merchant(name, '5912', hq, 'pharma', (8.0, rng.choice([21.5, 22.0, 24.0])), 7, 6500, chain=name)
        model = rng.choice(['A920', 'N910', 'SP630', 'C960', 'P2', 'A8'])
        for k in range(rng.randint(4, 7)):
            city = hq if rng.random() < 0.6 else pick_city(prov)
            s = new_site(m, city, '%s%s店' % (CITIES[city][2], rng.choice(DISTRICTS)))
            for i in range(rng.randint(1, 2)):
                new_term(s, model, 'counter', rng.choice(['ethernet', 'wifi', 'cellular']))
    for name in rng.sample(PETROL_CHAINS, 2):
        prov = 'GX' if '桂' in name else ('FJ' if '闽' in name else 'GD')
        hq = pick_city(prov)
        counter = rng.choice(['S800', 'E550', 'C960', 'iCT250'])
        pump = rng.choice(['A920', 'N910', 'A8', 'K9', 'Move5000'])
        for k in range(rng.randint(3, 5)):
            city = hq if k < 2 else pick_city(prov)
            m = new_merchant(name, '5541', city, 'petrol', (0.0, 24.0), 14, 26000, chain=name)
            s = new_site(m, city, '%s%s站' % (CITIES[city][2], rng.choice(DISTRICTS)))
            for i in range(rng.randint(1, 2)):
                new_term(s, counter, 'counter', 'ethernet')
            for i in range(rng.randint(2, 4)):
                new_term(s, pump, 'pump', 'wifi' if rng.random() < 0.55 else 'cellular')
    name = rng.choice(CONV_CHAINS)
    hq = pick_city('GD')
    m = new_merchant(name, '5499', hq, 'conv', (0.0, 24.0), 9, 2500, chain=name)
    model = rng.choice(['T2', 'SP630', 'C960'])
    for k in range(rng.randint(4, 7)):
        city = hq if rng.random() < 0.7 else pick_city('GD')
        s = new_site(m, city, '%s%s店' % (CITIES[city][2], rng.choice(DISTRICTS)))
        new_term(s, model, 'counter', rng.choice(['ethernet', 'wifi']))
    # --- street shops until target ---
    while len(w.terms) < w.target:
        pat, mcc, hours, rate, amt, nt = rng.choice(STREET)
        city = rng.choice(w.cities)
        name = pat.format(s=rng.choice(SURNAMES), d=rng.choice(DISTRICTS))
        oh, ch = hours
        if ch - oh < 24:
            oh += rng.choice([0, -0.5, 0.5, 1.0])
            ch += rng.choice([0, -1.0, 0.5, -0.5])
        kind = 'hotel' if mcc == '7011' else 'street'
        m = new_merchant(name, mcc, city, kind, (oh, ch), rate * rng.uniform(0.7, 1.3), amt, None)
        s = new_site(m, city, '%s%s' % (CITIES[city][2], rng.choice(DISTRICTS)))
        n = rng.randint(*nt)
        for i in range(n):
            if kind == 'hotel' and i == 0:
                new_term(s, lane_model(rng), 'counter', 'ethernet')
            elif rng.random() < 0.8:
                new_term(s, rng.choice(PORTABLE_MODELS), 'counter', 'cellular' if rng.random() < 0.7 else 'wifi')
            else:
                new_term(s, lane_model(rng), 'counter', rng.choice(['ethernet', 'wifi']))
    w.term_by_id = {t['terminal_id']: t for t in w.terms}
    w.site_by_id = {s['site_id']: s for s in w.sites}
    w.merch_by_id = {m['merchant_id']: m for m in w.merchants}
    # operating interval of every terminal inside the window
    for t in w.terms:
        oh, ch = t['site']['hours']
        if ch - oh >= 24:
            on, off = w.T0 - 3600, w.T1 + 3600
        else:
            on = w.day0_local + int(oh * 3600) + rng.randint(-600, 900)
            off = w.day0_local + int(ch * 3600) + rng.randint(-900, 1200)
            if t['role'] == 'lane' and rng.random() < 0.3:
                off -= rng.randint(1800, 5400)     # not every lane stays open till closing
        t['on'], t['off'] = on, off
    return w


def inventory_records(w):
    ts = iso(w.T0 - 900)
    out = []
    for m in w.merchants:
        r = {'kind': 'merchant', 'ts': ts, 'merchant_id': m['merchant_id'], 'name': m['name'],
             'mcc': m['mcc'], 'city': m['city'], 'settlement': m['settlement'],
             'card_rate': m['card_rate'], 'qr_rate': m['qr_rate']}
        if 'fixed_fee' in m:
            r['fixed_fee'] = m['fixed_fee']
        out.append(r)
    for s in w.sites:
        out.append({'kind': 'site', 'ts': ts, 'site_id': s['site_id'], 'merchant_id': s['merchant_id'],
                    'name': s['name'], 'city': s['city'], 'lat': s['lat'], 'lon': s['lon']})
    for t in w.terms:
        r = {'kind': 'terminal', 'ts': ts, 'terminal_id': t['terminal_id'], 'serial': t['serial'],
             'vendor': t['vendor'], 'model': t['model'], 'firmware': t['firmware'],
             'app_version': t['app_version'], 'merchant_id': t['merchant_id'], 'site_id': t['site_id'],
             'network': t['network']}
        if t['carrier']:
            r['carrier'] = t['carrier']
        r['host'] = t['host']
        if t['cert_not_after']:
            r['cert_not_after'] = iso(t['cert_not_after'])
        r['installed'] = time.strftime('%Y-%m-%d', time.gmtime(t['installed']))
        out.append(r)
    return out
