"""People's records: complaints, engineers' checks, confirmed resolutions,
scheduled maintenance, plus noise (complaints and checks with nothing wrong)."""
from world import iso, iso_local

COMPLAINT = [
    '{h}点多开始POS一直显示{code},顾客付不了款', '刷卡老是失败,提示{code},重启也没用', '收银台的机器报{code},只能让顾客扫码',
    'POS突然不能用了,屏幕提示{code}', '今天好几笔交易失败,显示{code}', 'the terminal keeps showing {code}, customers cannot pay',
    '交易失败好多次,错误码{code},请尽快处理', '{code}错误,打电话给客服没人接',
]
COMPLAINT_BIZ = [
    '很多卡都刷不了,返回码{code},扫码可以', '大额交易全部失败({code}),客户流失', '商户交易被拒{code},请查一下是不是账户有问题',
    '顾客刷卡提示{code},卡是好的', '今天开始刷信用卡都失败了 {code}',
]
NOISE_COMPLAINT = [
    ('customer', '交易显示失败但是短信提示扣款了'), ('merchant', '手续费怎么比上个月高了'),
    ('customer', '小票没打出来,要求补打'), ('merchant', '到账比平时慢'), ('customer', '输错密码被锁卡了'),
    ('merchant', '机器有点慢,请派人看看'), ('merchant', 'POS电池不耐用'),
]
NOISE_CHECK = ['adapter_voltage', 'cable_seated', 'printer_test', 'signal_test', 'router_restarted', 'keypad_test']


def people_records(w, faults, first, rng):
    """first: fid -> (t, terminal_id, code) of the fault's first failed event"""
    out = []
    cidx = [0]

    def cid():
        cidx[0] += 1
        return 'C-%d%04d' % (w.seed % 100, cidx[0])

    def target(scope, T):
        if 'terminal_id' in scope:
            return {'terminal_id': scope['terminal_id']}
        if 'site_id' in scope:
            return {'site_id': scope['site_id']}
        return None

    for f in faults:
        fst = first.get(f.fid)
        if fst is None:
            continue
        t0, tid, code = fst
        T = w.term_by_id[tid]
        biz = f.cause.startswith('business') or f.cause in ('card.decline', 'upstream.issuer')
        if rng.random() < 0.55:
            a = t0 + rng.randint(300, 3000)
            if a < w.T1:
                tpl = rng.choice(COMPLAINT_BIZ if biz else COMPLAINT)
                h = int(((a + 8 * 3600) % 86400) / 3600)
                r = {'kind': 'complaint', 'ts': iso_local(a), 'complaint_id': cid(), 'from': 'merchant',
                     'merchant_id': T['merchant_id']}
                if rng.random() < 0.7:
                    r['terminal_id'] = tid
                r['text'] = tpl.format(code=code, h=h)
                out.append((a, r))
        if f.checks and rng.random() < 0.55:
            a = t0 + rng.randint(1200, 7200)
            for tg, name, res in f.checks:
                if a >= w.T1:
                    break
                r = {'kind': 'check', 'ts': iso_local(a)}
                r.update({k: v for k, v in tg.items() if k in ('terminal_id', 'site_id')})
                r['name'] = name
                r['result'] = res
                out.append((a, r))
                a += rng.randint(60, 400)
        if f.end < w.T1 - 300 and rng.random() < 0.45:
            a = f.end + rng.randint(180, 1200)
            if a < w.T1:
                r = {'kind': 'resolution', 'ts': iso_local(a)}
                tg = target(f.scope, T)
                if tg:
                    r.update(tg)
                else:
                    cidx[0] += 1
                    r['incident_id'] = 'OPS-%s-%03d' % (iso_local(a)[:10].replace('-', ''), cidx[0])
                    r['scope'] = dict(f.scope)
                r['cause'] = f.cause
                r['notes'] = f.notes
                out.append((a, r))
    # scheduled maintenance
    for T in w.terms:
        chain = T['merchant'].get('chain')
        if chain and w.T0 < T['on'] < w.T1 and rng.random() < 0.5:
            a = T['on'] + rng.randint(120, 1200)
            out.append((a, {'kind': 'maintenance', 'ts': iso_local(a), 'terminal_id': T['terminal_id'],
                            'action': 'daily_check', 'notes': rng.choice(['电源、键盘、屏幕正常', '日检正常', 'daily check ok'])}))
        x = rng.random()
        if x < 0.025:
            a = rng.randint(max(w.T0, T['on']), max(w.T0, T['on']) + 4 * 3600)
            if a < min(w.T1, T['off']):
                out.append((a, {'kind': 'maintenance', 'ts': iso_local(a), 'terminal_id': T['terminal_id'],
                                'action': 'weekly_clean', 'notes': '清洁读卡器和打印机'}))
        elif x < 0.032:
            a = rng.randint(max(w.T0, T['on']), max(w.T0, T['on']) + 4 * 3600)
            if a < min(w.T1, T['off']):
                out.append((a, {'kind': 'maintenance', 'ts': iso_local(a), 'terminal_id': T['terminal_id'],
                                'action': 'monthly_inspection', 'notes': '内部检查无异常'}))
    # noise: complaints and checks with nothing wrong
    for _ in range(rng.randint(3, 7)):
        T = rng.choice(w.terms)
        a = rng.randint(w.T0 + 600, w.T1 - 600)
        frm, text = rng.choice(NOISE_COMPLAINT)
        out.append((a, {'kind': 'complaint', 'ts': iso_local(a), 'complaint_id': cid(), 'from': frm,
                        'merchant_id': T['merchant_id'], 'text': text}))
    for _ in range(rng.randint(4, 9)):
        T = rng.choice(w.terms)
        a = rng.randint(w.T0 + 600, w.T1 - 600)
        name = rng.choice(NOISE_CHECK)
        if name == 'adapter_voltage':
            res = '%.2fV' % T['v0']
        elif name == 'signal_test':
            res = '%ddBm' % int(T['rssi0']) if T['rssi0'] else 'ok'
        else:
            res = 'ok'
        tg = {'site_id': T['site_id']} if name == 'router_restarted' else {'terminal_id': T['terminal_id']}
        r = {'kind': 'check', 'ts': iso_local(a)}
        r.update(tg)
        r.update({'name': name, 'result': res})
        out.append((a, r))
    return out
