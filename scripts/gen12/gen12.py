#!/usr/bin/env python3
"""gen12 -- independent test-data generator for the posdoc record format v1.

Usage: python3 gen12.py --seed N --out DIR
Writes DIR/records.jsonl (input records) and DIR/truth.jsonl (truth +
truth_event records).  Stdlib only; output depends only on the seed.

World: a Guangdong payment service provider (Shenzhen, Guangzhou, Dongguan,
Foshan) with chain stores, restaurants, night markets, petrol stations,
hospitals and logistics counters; acquirer hosts H1, H2 and a UnionPay
channel CUP; seven terminal vendors with their own code tables, log styles,
telemetry cadences and telemetry field subsets.  Faults change a per-terminal
physical state; hazards evaluated at each transaction stage decide what
fails, and the hazard that fired is the truth cause of the failed event.
"""
import argparse
import bisect
import json
import math
import os
import random
from collections import defaultdict
from datetime import datetime, timedelta, timezone

TZ = timezone(timedelta(hours=8))

CAUSES = [
    'hardware.keypad', 'hardware.display', 'hardware.card_reader',
    'hardware.printer', 'hardware.board', 'power.supply', 'power.battery',
    'network.signal', 'network.lan', 'network.carrier', 'software.bug',
    'software.incompatible', 'software.config', 'transmission.corruption',
    'security.keys', 'security.certificate', 'resource.storage',
    'resource.memory', 'resource.cpu', 'operator.error', 'business.txn_type',
    'business.limit', 'business.risk', 'business.merchant',
    'upstream.acquirer', 'upstream.issuer', 'card.decline',
]

HOUR = 3600.0
MIN = 60.0


def iso(t):
    return datetime.fromtimestamp(int(math.floor(t)), TZ).isoformat()


def wchoice(rng, pairs):
    """pairs: list of (item, weight)"""
    tot = sum(w for _, w in pairs)
    x = rng.random() * tot
    for it, w in pairs:
        x -= w
        if x <= 0:
            return it
    return pairs[-1][0]


def clamp(x, lo, hi):
    return lo if x < lo else hi if x > hi else x


# ---------------------------------------------------------------- geography
CITIES = {
    'shenzhen': dict(code='4403', abbr='SZ', tid='44', lat=22.54, lon=114.06,
                     districts=['福田', '南山', '罗湖', '宝安', '龙岗', '龙华']),
    'guangzhou': dict(code='4401', abbr='GZ', tid='45', lat=23.13, lon=113.26,
                      districts=['天河', '越秀', '海珠', '白云', '番禺']),
    'dongguan': dict(code='4419', abbr='DG', tid='46', lat=23.02, lon=113.75,
                     districts=['南城', '东城', '长安', '虎门', '松山湖']),
    'foshan': dict(code='4406', abbr='FS', tid='47', lat=23.02, lon=113.12,
                   districts=['禅城', '南海', '顺德', '三水']),
}
CITY_W = [('shenzhen', 0.34), ('guangzhou', 0.30), ('dongguan', 0.18), ('foshan', 0.18)]
CARRIERS = [('cmcc', 0.5), ('cucc', 0.25), ('ctcc', 0.25)]
HOSTS = ['H1', 'H2', 'CUP']
HOST_IP = {'H1': '10.12.8.21:5001', 'H2': '10.31.2.40:8583', 'CUP': '172.20.1.9:7001'}


def _hours(pairs):
    a = [0.0] * 24
    for (h0, h1), v in pairs:
        for h in range(h0, h1):
            a[h] = v
    return a


# activity multipliers per local hour
ACT = {
    'chain': _hours([((7, 9), 0.5), ((9, 11), 0.8), ((11, 14), 1.2), ((14, 17), 0.8),
                     ((17, 21), 1.3), ((21, 23), 0.6)]),
    'restaurant': _hours([((10, 11), 0.3), ((11, 14), 1.5), ((14, 17), 0.25),
                          ((17, 21), 1.5), ((21, 23), 0.5)]),
    'nightmarket': _hours([((16, 18), 0.3), ((18, 24), 1.5)]),
    'petrol': _hours([((6, 9), 1.1), ((9, 17), 0.8), ((17, 20), 1.2), ((20, 24), 0.5),
                      ((0, 6), 0.15)]),
    'hospital': _hours([((7, 8), 0.5), ((8, 12), 1.5), ((12, 14), 0.6), ((14, 17), 1.1),
                        ((17, 21), 0.3), ((21, 24), 0.1)]),
    'logistics': _hours([((8, 9), 0.4), ((9, 18), 1.0), ((18, 21), 0.5)]),
}

SEGMENTS = {
    # weight, mccs, sites range, terminals per site, counter share, base txn/h, median amount(fen), sigma
    'chain': dict(w=0.20, mcc=['5411', '5499'], sites=(2, 6), tps=(2, 4), counter=0.85,
                  rate=14, amt=4200, sig=0.9,
                  names=['鹏城优选超市', '粤家便利', '岭南鲜超', '好邻居生活', '万佳百货', '丰悦超市']),
    'restaurant': dict(w=0.22, mcc=['5812', '5814'], sites=(1, 2), tps=(1, 3), counter=0.7,
                       rate=8, amt=9800, sig=0.7,
                       names=['老街面馆', '潮汕牛肉火锅', '客家酿豆腐', '顺德鱼生', '茶餐厅', '肠粉王', '烧腊饭店']),
    'nightmarket': dict(w=0.22, mcc=['5814', '5499'], sites=(1, 1), tps=(1, 2), counter=0.1,
                        rate=10, amt=2200, sig=0.6,
                        names=['夜市烧烤档', '糖水铺', '臭豆腐摊', '手机配件档', '炒粉档', '奶茶档']),
    'petrol': dict(w=0.10, mcc=['5541'], sites=(1, 3), tps=(3, 5), counter=0.6,
                   rate=12, amt=26000, sig=0.5,
                   names=['粤油加油站', '南方能源加油站', '珠江石化']),
    'hospital': dict(w=0.06, mcc=['8062'], sites=(1, 2), tps=(4, 9), counter=0.8,
                     rate=11, amt=21000, sig=1.1,
                     names=['人民医院', '中医院', '妇幼保健院', '口腔医院']),
    'logistics': dict(w=0.20, mcc=['4215'], sites=(1, 3), tps=(1, 2), counter=0.5,
                      rate=4, amt=2600, sig=0.7,
                      names=['速达快递', '顺通物流', '货运代收点', '驿站快递']),
}

TXN_TYPES = {
    'default': [('purchase', 0.90), ('refund', 0.02), ('void', 0.035), ('balance', 0.02),
                ('preauth', 0.01), ('completion', 0.015)],
    'petrol': [('purchase', 0.74), ('preauth', 0.11), ('completion', 0.09), ('void', 0.03),
               ('refund', 0.01), ('balance', 0.02)],
    'hospital': [('purchase', 0.86), ('refund', 0.07), ('void', 0.04), ('balance', 0.03)],
}
CHANNELS = {
    'chain': [('qr', 0.45), ('nfc', 0.2), ('card_ic', 0.33), ('card_swipe', 0.02)],
    'restaurant': [('qr', 0.45), ('nfc', 0.2), ('card_ic', 0.33), ('card_swipe', 0.02)],
    'nightmarket': [('qr', 0.75), ('card_ic', 0.15), ('nfc', 0.1)],
    'petrol': [('card_ic', 0.48), ('qr', 0.35), ('nfc', 0.15), ('card_swipe', 0.02)],
    'hospital': [('card_ic', 0.53), ('qr', 0.35), ('nfc', 0.1), ('card_swipe', 0.02)],
    'logistics': [('qr', 0.6), ('card_ic', 0.3), ('nfc', 0.1)],
}

# card issuers and BINs (credit BINs flagged)
ISSUERS = {
    'icbc': [('622202', False), ('621226', False), ('625330', True)],
    'ccb': [('621700', False), ('436742', True)],
    'abc': [('622848', False), ('622845', False)],
    'boc': [('621661', False), ('456351', True)],
    'cmb': [('622588', False), ('439225', True)],
    'pab': [('623058', False), ('622155', True)],
    'gdrcu': [('621458', False), ('623595', False)],
}
ISSUER_W = [('icbc', 0.22), ('ccb', 0.2), ('abc', 0.14), ('boc', 0.1), ('cmb', 0.14),
            ('pab', 0.08), ('gdrcu', 0.12)]
ISSUER_ZH = {'icbc': '工商银行', 'ccb': '建设银行', 'abc': '农业银行', 'boc': '中国银行',
             'cmb': '招商银行', 'pab': '平安银行', 'gdrcu': '广东农信'}

APP_VERSIONS = [('5.1.2', 0.36), ('5.1.4', 0.40), ('5.0.9', 0.10), ('4.8.6', 0.14)]

# ------------------------------------------------------------------ vendors
# symptom keys used internally (never written): the vendor maps them to codes
VENDORS = {
    'pax': dict(
        share=0.22, cadence=60, tms_offline=True, vnom=5.10, timeout=60, log_rejects=False,
        models=[('S90', 'counter', 0.45), ('S300', 'counter', 0.2), ('A920', 'handheld', 0.35)],
        fws=[('3.2.0', 0.45), ('3.2.4', 0.45), ('3.1.7', 0.10)], cert=True,
        fields=['online', 'latency_ms', 'packet_loss', 'rssi_dbm', 'supply_v', 'battery_pct',
                'power_events', 'reboot', 'storage_used_pct', 'memory_used_pct', 'key_check',
                'printer', 'card_reader_errors', 'app_crashes', 'firmware', 'app_version'],
        codes={'RTO': 'E1', 'CONN': 'E2', 'SEND': 'E2', 'TLS': 'E3', 'CERT': 'E3',
               'TLSVER': 'E3', 'MAC': 'E4', 'KEYMISS': 'E4', 'CARD': 'E5', 'FALLBK': 'E5',
               'PAPER': 'E6', 'PRN': 'E6', 'CRASH': 'E7', 'STOR': 'E8', 'MEM': 'E9',
               'SLOW': 'E10', 'PWR': 'E11', 'LOWBAT': 'E11', 'FMT': 'E12', 'PARAM': 'E13',
               'PINKEY': 'E14', 'PINTO': 'E15', 'DISP': 'E16', 'HW': 'E16', 'OPER': 'E17'}),
    'newland': dict(
        share=0.18, cadence=120, tms_offline=False, vnom=None, timeout=45, log_rejects=False,
        models=[('N910', 'handheld', 0.5), ('ME51', 'handheld', 0.2), ('SP630', 'counter', 0.3)],
        fws=[('2.8.1', 0.5), ('2.8.3', 0.4), ('2.7.9', 0.1)], cert=True,
        fields=['online', 'rssi_dbm', 'latency_ms', 'battery_pct', 'reboot', 'memory_used_pct',
                'cpu_pct', 'temp_c', 'keypad_errors', 'card_reader_errors', 'printer',
                'clock_skew_s', 'firmware', 'app_version'],
        codes={'TLS': 'E1', 'CERT': 'E1', 'TLSVER': 'E1', 'MAC': 'E2', 'KEYMISS': 'E2',
               'RTO': 'E3', 'SEND': 'E3', 'CONN': 'E4', 'PARAM': 'E4', 'CARD': 'E5',
               'FALLBK': 'E6', 'PINKEY': 'E7', 'PINTO': 'E7', 'PAPER': 'E8', 'PRN': 'E8',
               'CRASH': 'E9', 'MEM': 'E9', 'STOR': 'E10', 'SLOW': 'E11', 'PWR': 'E12',
               'LOWBAT': 'E13', 'FMT': 'E14', 'HW': 'E15', 'DISP': 'E15', 'OPER': 'E16'}),
    'landi': dict(
        share=0.16, cadence=300, tms_offline=True, vnom=9.0, timeout=60, log_rejects=False,
        models=[('A8', 'counter', 0.45), ('E350', 'counter', 0.3), ('APOS A8', 'handheld', 0.25)],
        fws=[('V2.3.0', 0.5), ('V2.3.2', 0.3), ('V2.1.8', 0.2)], cert=False,
        fields=['online', 'supply_v', 'battery_pct', 'power_events', 'reboot',
                'storage_used_pct', 'key_check', 'printer', 'keypad_errors', 'firmware'],
        codes={'KEYMISS': 'E1', 'PARAM': 'E1', 'HW': 'E1', 'MAC': 'E2', 'CONN': 'E3',
               'SEND': 'E3', 'RTO': 'E4', 'FMT': 'E4', 'TLS': 'E5', 'CERT': 'E5',
               'TLSVER': 'E5', 'CARD': 'E6', 'FALLBK': 'E6', 'PINKEY': 'E7', 'PINTO': 'E7',
               'DISP': 'E8', 'PAPER': 'E9', 'PRN': 'E9', 'CRASH': 'E10', 'MEM': 'E10',
               'STOR': 'E11', 'SLOW': 'E12', 'PWR': 'E13', 'LOWBAT': 'E13', 'OPER': 'E14'}),
    'sunmi': dict(
        share=0.14, cadence=90, tms_offline=False, vnom=None, timeout=60, log_rejects=False,
        models=[('P2', 'handheld', 0.6), ('T2', 'counter', 0.4)],
        fws=[('4.1.12', 0.5), ('4.1.15', 0.4), ('4.0.30', 0.1)], cert=True,
        fields=['online', 'rssi_dbm', 'latency_ms', 'packet_loss', 'battery_pct',
                'memory_used_pct', 'cpu_pct', 'storage_used_pct', 'app_crashes', 'temp_c',
                'reboot', 'clock_skew_s', 'firmware', 'app_version'],
        codes={'CARD': 'E1', 'FALLBK': 'E1', 'PINKEY': 'E2', 'PINTO': 'E2', 'CONN': '-1001',
               'RTO': '-1002', 'SEND': '-1003', 'FMT': '-1004', 'TLS': '-2001',
               'CERT': '-2002', 'TLSVER': '-2003', 'MAC': '-3001', 'KEYMISS': '-3002',
               'PARAM': '-4001', 'CRASH': '-9001', 'MEM': '-9002', 'STOR': '-9003',
               'SLOW': '-9004', 'PAPER': 'E3', 'PRN': 'E3', 'DISP': 'E4', 'HW': 'E5',
               'PWR': 'E6', 'LOWBAT': 'E6', 'OPER': 'E7'}),
    'centerm': dict(
        share=0.12, cadence=180, tms_offline=False, vnom=12.0, timeout=50, log_rejects=True,
        models=[('C960', 'counter', 0.7), ('K9', 'handheld', 0.3)],
        fws=[('1.9.4', 0.6), ('1.9.6', 0.3), ('1.8.2', 0.1)], cert=True,
        fields=['online', 'latency_ms', 'supply_v', 'temp_c', 'reboot', 'power_events',
                'printer', 'card_reader_errors', 'key_check', 'battery_pct', 'firmware',
                'app_version'],
        codes={'CONN': 'E1', 'RTO': 'E1', 'SEND': 'E1', 'FMT': 'E1', 'TLS': 'E2', 'CERT': 'E2',
               'TLSVER': 'E2', 'MAC': 'E3', 'KEYMISS': 'E3', 'PARAM': 'E4', 'CARD': 'E5',
               'FALLBK': 'E5', 'PINKEY': 'E6', 'PINTO': 'E6', 'PAPER': 'E7', 'PRN': 'E7',
               'CRASH': 'E8', 'MEM': 'E8', 'STOR': 'E9', 'SLOW': 'E8', 'PWR': 'E10',
               'LOWBAT': 'E10', 'HW': 'E10', 'DISP': 'E11', 'OPER': 'E12', 'REJ': 'E20'}),
    'ingenico': dict(
        share=0.10, cadence=240, tms_offline=True, vnom=5.0, timeout=60, log_rejects=False,
        models=[('Move5000', 'handheld', 0.5), ('Desk5000', 'counter', 0.5)],
        fws=[('11.16.2', 0.6), ('11.18.0', 0.3), ('11.12.5', 0.1)], cert=True,
        fields=['online', 'rssi_dbm', 'latency_ms', 'packet_loss', 'battery_pct', 'supply_v',
                'reboot', 'key_check', 'clock_skew_s', 'keypad_errors', 'card_reader_errors',
                'firmware', 'app_version'],
        codes={'PWR': 'E1', 'LOWBAT': 'E1', 'HW': 'E1', 'CONN': 'E2', 'RTO': 'E2',
               'SEND': 'E2', 'TLS': 'E3', 'CERT': 'E3', 'TLSVER': 'E3', 'MAC': 'E4',
               'KEYMISS': 'E4', 'CARD': 'E5', 'FALLBK': 'E5', 'PINKEY': 'E6', 'PINTO': 'E6',
               'DISP': 'E7', 'PAPER': 'E8', 'PRN': 'E8', 'CRASH': 'E9', 'MEM': 'E9',
               'STOR': 'E10', 'SLOW': 'E9', 'FMT': 'E11', 'PARAM': 'E12', 'OPER': 'E13'}),
    'verifone': dict(
        share=0.08, cadence=300, tms_offline=False, vnom=None, timeout=45, log_rejects=True,
        models=[('VX520', 'counter', 0.6), ('V240m', 'handheld', 0.4)],
        fws=[('QT5.2.1', 0.6), ('QT5.2.3', 0.3), ('QT5.0.8', 0.1)], cert=False,
        fields=['online', 'latency_ms', 'reboot', 'memory_used_pct', 'storage_used_pct',
                'cpu_pct', 'printer', 'key_check', 'app_crashes', 'firmware'],
        codes={'PINKEY': 'E1', 'DISP': 'E1', 'PINTO': 'E1', 'CONN': '-3', 'RTO': '-4',
               'SEND': '-3', 'FMT': '-5', 'TLS': '-10', 'CERT': '-11', 'TLSVER': '-10',
               'MAC': '-20', 'KEYMISS': '-21', 'CARD': '-30', 'FALLBK': '-31', 'PAPER': '-40',
               'PRN': '-41', 'CRASH': '-50', 'MEM': '-51', 'STOR': '-52', 'SLOW': '-53',
               'PWR': '-60', 'LOWBAT': '-61', 'HW': '-62', 'PARAM': '-70', 'OPER': '-80',
               'REJ': 'RC'}),
}
VENDOR_W = [(v, d['share']) for v, d in VENDORS.items()]

# symptom texts: variant -> (zh, en)
DET = {
    'CONN': {'nolink': ('网络未连接', 'no link / carrier lost'),
             'timeout': ('连接主机超时', 'connect timeout'),
             'refused': ('主机拒绝连接', 'connection refused'),
             'dns': ('域名解析失败', 'dns lookup failed')},
    'RTO': {'': ('接收超时', 'recv timeout')},
    'SEND': {'': ('发送失败', 'send failed')},
    'TLS': {'': ('SSL握手失败', 'tls handshake failed')},
    'CERT': {'expired': ('证书已过期', 'certificate expired'),
             'notyet': ('证书尚未生效', 'certificate not yet valid'),
             'untrusted': ('证书链校验失败', 'unable to get issuer certificate')},
    'TLSVER': {'': ('协议版本不被支持', 'handshake alert: protocol_version')},
    'MAC': {'': ('MAC校验错', 'MAC verify failed')},
    'KEYMISS': {'': ('工作密钥不存在', 'working key not loaded')},
    'CARD': {'ic': ('IC卡读卡失败', 'ICC read error (no ATR)'),
             'nfc': ('非接读卡失败', 'contactless collision/read error'),
             'mag': ('磁条读取失败', 'magstripe track read error'),
             'wrongway': ('请正确插卡', 'card inserted incorrectly')},
    'FALLBK': {'': ('此卡为IC卡,请插卡', 'chip card swiped - insert card')},
    'PINKEY': {'': ('密码键盘按键异常', 'pinpad key scan error'),
               'amount': ('按键无响应/连键', 'key stuck during amount entry')},
    'PINTO': {'': ('密码输入超时', 'PIN entry timeout')},
    'DISP': {'': ('显示屏异常', 'LCD controller not responding')},
    'PAPER': {'': ('打印机缺纸', 'printer out of paper')},
    'PRN': {'': ('打印机故障', 'printer head error'), 'volt': ('打印电压不足', 'printer undervoltage')},
    'CRASH': {'': ('应用异常退出', 'application crashed')},
    'PWR': {'': ('上次掉电，交易未完成', 'power failure during last transaction'),
            'low': ('电压过低', 'supply voltage low'),
            'boot': ('掉电重启', 'restarted after power loss')},
    'LOWBAT': {'': ('电量低，请充电', 'battery low, please charge')},
    'STOR': {'': ('交易流水已满，请先结算', 'journal storage full, settle first')},
    'MEM': {'': ('内存不足', 'out of memory')},
    'SLOW': {'': ('处理超时', 'processing timeout')},
    'FMT': {'': ('报文格式错误', 'message format error'),
            'len': ('报文长度错', 'bad message length'),
            'parse': ('应答报文解析失败', 'response parse failed')},
    'PARAM': {'': ('参数错误', 'parameter error'), 'host': ('主机参数错误', 'host param invalid')},
    'HW': {'': ('硬件自检失败', 'hardware self-test failed'),
           'sensor': ('安全传感器异常', 'tamper sensor error')},
    'OPER': {'pwd': ('主管密码错', 'supervisor password wrong'),
             'menu': ('操作取消', 'operation cancelled by user'),
             'amount': ('金额输入错误', 'amount entry invalid'),
             'orig': ('原交易不存在', 'original transaction not found')},
    'REJ': {'': ('交易失败', 'declined by host')},
}

RC_ZH = {'51': '余额不足', '55': '密码错', '54': '过期卡', '05': '不予承兑', '14': '无效卡号',
         '61': '超出金额限制', '65': '超出取款次数限制', '57': '不允许持卡人进行的交易',
         '58': '不允许终端进行的交易', '59': '有作弊嫌疑', '03': '无效商户', '91': '发卡方不能操作',
         '98': '交换中心收不到发卡方应答', '96': '系统异常', '30': '格式错误', '40': '请求的功能尚不支持',
         'A0': 'MAC校验错', '97': '终端未登记', '25': '找不到原始交易', '12': '无效交易',
         '94': '重复交易', '41': '挂失卡', '34': '作弊卡'}


# ------------------------------------------------------------------ effects
class Eff:
    """A time-bounded change of some physical quantity, owned by a fault.

    level(t) in [0,1]: sudden (1 inside), ramp (linear rise), intermittent
    (1 inside bursts, `floor` between bursts)."""
    __slots__ = ('start', 'end', 'cause', 'fid', 'mag', 'onset', 'ramp', 'bs', 'be', 'floor')

    def __init__(self, start, end, cause, fid, mag=None, onset='sudden', ramp=600.0,
                 bursts=None, floor=0.0):
        self.start, self.end, self.cause, self.fid = start, end, cause, fid
        self.mag = mag or {}
        self.onset, self.ramp, self.floor = onset, max(1.0, ramp), floor
        if bursts is not None:
            self.bs = [b[0] for b in bursts]
            self.be = [b[1] for b in bursts]
        else:
            self.bs = self.be = None

    def level(self, t):
        if t < self.start or t >= self.end:
            return 0.0
        if self.onset == 'ramp':
            return min(1.0, (t - self.start) / self.ramp)
        if self.onset == 'intermittent':
            i = bisect.bisect_right(self.bs, t) - 1
            return 1.0 if (i >= 0 and t < self.be[i]) else self.floor
        return 1.0


def make_bursts(rng, start, end, on=(60, 480), off=(120, 1200)):
    out = []
    t = start + rng.uniform(0, 60)
    while t < end:
        d = rng.uniform(*on)
        out.append((t, min(end, t + d)))
        t += d + rng.uniform(*off)
    return out


class Fault:
    def __init__(self, fid, cause, scope, start, end, onset, severity, shared, desc):
        self.fid, self.cause, self.scope = fid, cause, scope
        self.start, self.end = start, end
        self.onset, self.severity, self.shared, self.desc = onset, severity, shared, desc
        self.terms = []           # tids in scope
        self.from_events = False  # terminals taken from affected events (issuer / bin faults)
        self.people = []          # (t, record) check / resolution / maintenance records


class Term:
    pass


class Merchant:
    pass


class Site:
    pass


# -------------------------------------------------------------------- world
class World:
    def __init__(self, seed):
        self.seed = seed
        self.rng = random.Random(seed)
        r = self.rng
        day = 2 + (seed * 7) % 26
        start_h = [9, 10, 12, 14, 16, 17][seed % 6]
        self.W0 = datetime(2026, 11, day, start_h, 0, 0, tzinfo=TZ).timestamp()
        self.W1 = self.W0 + 6 * HOUR
        self.merchants, self.sites, self.terms = [], [], []
        self.tmap = {}
        self.heff = defaultdict(list)    # host -> [Eff]
        self.meff = defaultdict(list)    # merchant_id -> [Eff]
        self.ieff = defaultdict(list)    # issuer -> [Eff]
        self.beff = defaultdict(list)    # bin -> [Eff]
        self.veff = []                   # version-dependent effects
        self.faults = []
        self.fault_by_id = {}
        self.people = []                 # (t, rec) extra people / maintenance records
        self.build()

    # ---------------------------------------------------------------- build
    def build(self):
        r = self.rng
        target = r.randint(280, 320)
        mseq = 0
        tids = set()
        while len(self.terms) < target:
            seg = wchoice(r, [(k, v['w']) for k, v in SEGMENTS.items()])
            S = SEGMENTS[seg]
            city = wchoice(r, CITY_W)
            C = CITIES[city]
            mseq += 1
            m = Merchant()
            m.seg = seg
            m.mcc = r.choice(S['mcc'])
            m.city = city
            m.id = '898%s%s%04d' % (C['code'], m.mcc, mseq)
            base = r.choice(S['names'])
            dist = r.choice(C['districts'])
            if seg in ('chain', 'petrol'):
                m.name = base
            elif seg == 'hospital':
                m.name = '%s市%s%s' % ({'shenzhen': '深圳', 'guangzhou': '广州', 'dongguan': '东莞',
                                         'foshan': '佛山'}[city], dist, base)
            else:
                m.name = '%s%s' % (dist, base)
            m.settlement = 'direct' if r.random() < 0.8 else 'indirect'
            m.card_rate = r.choice([0.0055, 0.006, 0.006, 0.0058])
            m.qr_rate = 0.0038
            m.fixed_fee = 0 if r.random() < 0.85 else None
            m.host = wchoice(r, [('H1', 0.42), ('H2', 0.36), ('CUP', 0.22)])
            m.jump_mcc = r.choice(['5311', '5999', '7011']) if r.random() < 0.04 else None
            m.vendor = wchoice(r, VENDOR_W)
            m.sites = []
            m.terms = []
            self.merchants.append(m)
            nsites = r.randint(*S['sites'])
            for k in range(nsites):
                s = Site()
                s.merchant = m
                s.city = city if (seg != 'chain' or r.random() < 0.7) else wchoice(r, CITY_W)
                SC = CITIES[s.city]
                s.id = '%s-%03d-%d' % (SC['abbr'], mseq % 1000, k + 1)
                sd = r.choice(SC['districts'])
                s.name = '%s %s%s' % (m.name, sd, '店' if seg not in ('hospital', 'petrol') else
                                      ('院区' if seg == 'hospital' else '站'))
                s.lat = round(SC['lat'] + r.uniform(-0.12, 0.12), 4)
                s.lon = round(SC['lon'] + r.uniform(-0.15, 0.15), 4)
                s.terms = []
                s.wired = seg not in ('nightmarket',) and r.random() < 0.9
                m.sites.append(s)
                self.sites.append(s)
                n = r.randint(*S['tps'])
                for j in range(n):
                    T = self.new_term(m, s, seg, tids)
                    s.terms.append(T)
                    m.terms.append(T)
                    self.terms.append(T)
                    self.tmap[T.tid] = T
        midnight = self.W0 - datetime.fromtimestamp(self.W0, TZ).hour * HOUR
        for T in self.terms:
            hs = [int((self.W0 + k * HOUR - midnight) / HOUR) % 24 for k in range(6)]
            T.exp = T.rate * sum(ACT[T.seg][h] for h in hs) / 6.0

    def new_term(self, m, s, seg, tids):
        r = self.rng
        S = SEGMENTS[seg]
        T = Term()
        T.merchant, T.site, T.seg = m, s, seg
        T.vendor = m.vendor if r.random() < 0.75 else wchoice(r, VENDOR_W)
        V = VENDORS[T.vendor]
        T.V = V
        want = 'counter' if r.random() < S['counter'] else 'handheld'
        ms = [x for x in V['models'] if x[1] == want] or V['models']
        T.model, T.form = wchoice(r, [((a, b), c) for a, b, c in ms])
        T.power = 'mains' if T.form == 'counter' else 'battery'
        if T.form == 'counter':
            if s.wired:
                T.net = wchoice(r, [('ethernet', 0.62), ('wifi', 0.16), ('cellular', 0.22)])
            else:
                T.net = 'cellular'
        else:
            T.net = wchoice(r, [('cellular', 0.7), ('wifi', 0.3)]) if s.wired else 'cellular'
        T.carrier = wchoice(r, CARRIERS) if T.net == 'cellular' else None
        T.host = m.host if r.random() < 0.9 else r.choice(HOSTS)
        C = CITIES[s.city]
        while True:
            tid = '%s%06d' % (C['tid'], r.randint(0, 999999))
            if tid not in tids:
                tids.add(tid)
                break
        T.tid = tid
        T.serial = {
            'pax': lambda: '18%08d' % r.randint(0, 99999999),
            'newland': lambda: 'N%s%07d' % (T.model[:3].replace(' ', ''), r.randint(0, 9999999)),
            'landi': lambda: 'LD%010d' % r.randint(0, 9999999999),
            'sunmi': lambda: 'P%s%011d' % ('2' if T.model == 'P2' else 'T', r.randint(0, 99999999999)),
            'centerm': lambda: 'CT%09d' % r.randint(0, 999999999),
            'ingenico': lambda: '%03d-%03d-%03d' % (r.randint(0, 999), r.randint(0, 999), r.randint(0, 999)),
            'verifone': lambda: '%03d-%03d-%03d' % (r.randint(300, 999), r.randint(0, 999), r.randint(0, 999)),
        }[T.vendor]()
        T.fw0 = wchoice(r, V['fws'])
        T.app0 = wchoice(r, APP_VERSIONS)
        T.fw_hist = [(-1e18, T.fw0)]
        T.app_hist = [(-1e18, T.app0)]
        ydays = r.randint(120, 900)
        T.cert_not_after = self.W0 + ydays * 86400 + r.randint(0, 86399)
        T.installed = self.W0 - r.randint(60, 1100) * 86400
        T.base_rssi = None
        if T.net == 'cellular':
            T.base_rssi = clamp(int(r.gauss(-79, 8)), -101, -55)
        elif T.net == 'wifi':
            T.base_rssi = clamp(int(r.gauss(-58, 7)), -74, -38)
        T.base_lat = {'ethernet': r.uniform(18, 55), 'wifi': r.uniform(25, 80),
                      'cellular': r.uniform(70, 200)}[T.net]
        T.base_loss = {'ethernet': r.uniform(0, 0.003), 'wifi': r.uniform(0.001, 0.008),
                       'cellular': r.uniform(0.002, 0.015)}[T.net]
        T.base_sto = r.uniform(22, 70) + (12 if T.vendor == 'sunmi' else 0)
        T.base_mem = r.uniform(32, 62) + (10 if T.vendor == 'sunmi' else 0)
        T.base_cpu = r.uniform(4, 25)
        T.base_temp = r.uniform(31, 41)
        T.base_skew = r.uniform(-4, 4)
        T.skew_drift = r.gauss(0, 0.2) / HOUR  # s per s
        T.has_printer = not (T.model in ('ME51', 'V240m') or (T.form == 'handheld' and r.random() < 0.1))
        T.has_keypad = T.model not in ('T2',)
        idle = r.random() < 0.05
        T.rate = 0.0 if idle else S['rate'] * math.exp(r.gauss(0, 0.35))
        if T.form == 'handheld' and seg in ('petrol', 'hospital'):
            T.rate *= 0.5
        T.eff = defaultdict(list)
        T.off = []      # [start, end, reason, cause, fid, boot_err]
        T.dips = []     # (t, cause, fid)  power events without reboot
        T.batt = None
        T.op_p = r.uniform(0.001, 0.005)
        T.tick_off = r.uniform(0, V['cadence'])
        T.stan0 = r.randint(1, 900000)
        T.fids = set()
        T.cert_fid = None
        T.cert_renew = 1e18
        T.cur = '156' if T.vendor in ('landi', 'centerm') else 'CNY'
        if T.power == 'battery':
            T.batt_start = r.uniform(35, 100)
            T.batt_drain = r.uniform(0.05, 0.14)   # %/min
            T.batt_cap = 1.0
        return T

    # -------------------------------------------------------------- queries
    def fw_at(self, T, t):
        i = bisect.bisect_right([h[0] for h in T.fw_hist], t) - 1
        return T.fw_hist[i][1]

    def app_at(self, T, t):
        i = bisect.bisect_right([h[0] for h in T.app_hist], t) - 1
        return T.app_hist[i][1]

    def add_off(self, T, start, end, reason, cause, fid, boot_err=0.3):
        """register an interval with the terminal powered off / rebooting"""
        if end <= start:
            return
        T.off.append([start, end, reason, cause, fid, boot_err])

    def finalize_off(self, T):
        T.off.sort(key=lambda x: x[0])
        merged = []
        for iv in T.off:
            if merged and iv[0] <= merged[-1][1]:
                if iv[1] > merged[-1][1]:
                    merged[-1][1] = iv[1]
            else:
                merged.append(list(iv))
        T.off = merged
        T.off_starts = [x[0] for x in merged]
        T.dips.sort(key=lambda x: x[0])
        T.dip_ts = [x[0] for x in T.dips]

    def battery_profile(self, T):
        """minute-resolution battery level; shutdowns for faulty batteries"""
        r = random.Random('%d/batt/%s' % (self.seed, T.tid))
        n = int((self.W1 - self.W0) / MIN) + 2
        lvl = T.batt_start
        arr = []
        charging = False
        bad = [e for e in T.eff['battery']]
        down_until = None
        m = 0
        while m < n:
            t = self.W0 + m * MIN
            drain = T.batt_drain
            fe = None
            for e in bad:
                lv = e.level(t)
                if lv > 0:
                    drain = max(drain, e.mag['drain'] * lv)
                    fe = e
            if down_until is not None:
                if t >= down_until:
                    down_until = None
                    charging = True
                arr.append(lvl)
                if charging:
                    lvl = min(100.0, lvl + 0.9 * (0.35 if fe else 1.0))
                m += 1
                continue
            if charging:
                lvl = min(100.0, lvl + (0.9 * (0.35 if fe else 1.0)))
                if lvl >= (60 if fe else 92) and r.random() < 0.15:
                    charging = False
            else:
                lvl -= drain * r.uniform(0.7, 1.3)
                thr = 18 if not fe else 4
                if lvl <= thr:
                    if fe and lvl <= 4 and r.random() < 0.7:
                        # battery collapses: terminal switches off until docked
                        lvl = 0.0
                        dur = r.uniform(6, 35) * MIN
                        self.add_off(T, t, t + dur, 'power_loss', fe.cause, fe.fid, 0.5)
                        down_until = t + dur
                    elif r.random() < (0.25 if not fe else 0.1):
                        charging = True
            lvl = clamp(lvl, 0.0, 100.0)
            arr.append(lvl)
            m += 1
        T.batt = arr

    def day_count(self, T, t):
        """expected number of approved sales of the day before t"""
        midnight = self.W0 - datetime.fromtimestamp(self.W0, TZ).hour * HOUR
        h = (t - midnight) / HOUR
        act = ACT[T.seg]
        tot = sum(act[k] for k in range(int(h))) + act[int(h) % 24] * (h - int(h))
        return int(T.rate * tot * 0.93)

    def batt_at(self, T, t):
        if T.batt is None:
            return None
        i = int((t - self.W0) / MIN)
        i = clamp(i, 0, len(T.batt) - 1)
        return T.batt[i]


# ---------------------------------------------------------------- physics
def sigq(net, rssi):
    """signal quality -> (loss, extra latency ms, dead)"""
    if net == 'cellular':
        return (clamp((-97.0 - rssi) / 18.0, 0.0, 0.95), max(0.0, -88.0 - rssi) * 30.0,
                rssi < -114)
    return (clamp((-74.0 - rssi) / 14.0, 0.0, 0.95), max(0.0, -70.0 - rssi) * 20.0, rssi < -90)


def pick_comp(comps, rng):
    """comps: [(weight, cause, fid)] -> (cause, fid), weighted by contribution"""
    pos = [c for c in comps if c[0] > 0]
    if not pos:
        return comps[0][1], comps[0][2]
    tot = sum(c[0] for c in pos)
    x = rng.random() * tot
    for c in pos:
        x -= c[0]
        if x <= 0:
            return c[1], c[2]
    return pos[-1][1], pos[-1][2]


def one(e):
    return [(1.0, e.cause, e.fid)]


def mask_pan(bin6, rng):
    return '%s******%04d' % (bin6, rng.randint(0, 9999))


class Sim:
    def __init__(self, world):
        self.w = world
        self.out = []     # (t, seq, rec)
        self.tev = []     # (t, seq, rec)
        self.seq = 0
        self.fails = []   # (t, T, code, cause, fid, kind) for complaints
        self.midnight = world.W0 - (datetime.fromtimestamp(world.W0, TZ).hour * HOUR)

    # ------------------------------------------------------------ emit
    def emit(self, t, rec):
        self.seq += 1
        self.out.append((t, self.seq, rec))

    def truth_ev(self, t, T, cause, fid, code, stan=None, rkind='error'):
        self.seq += 1
        rec = {'kind': 'truth_event', 'ts': iso(t), 'terminal_id': T.tid, 'cause': cause,
               'code': code}
        if stan:
            rec['stan'] = stan
        rec['fault_id'] = fid
        rec['record'] = rkind
        self.tev.append((t, self.seq, rec))
        self.fails.append((t, T, code, cause, fid, rkind))
        if fid:
            T.fids.add(fid)
            f = self.w.fault_by_id.get(fid)
            if f is not None and f.from_events and T.tid not in f.terms:
                f.terms.append(T.tid)

    def error(self, T, t, sym, variant, stage, cause, fid, rng, stan=None, extra=''):
        V = T.V
        code = V['codes'][sym]
        zh, en = DET[sym].get(variant) or DET[sym]['']
        detail = self.detail(T, t, code, sym, zh, en, stage, stan, extra, rng)
        rec = {'kind': 'error', 'ts': iso(t), 'terminal_id': T.tid, 'code': code, 'stage': stage,
               'detail': detail}
        if stan:
            rec['stan'] = stan
        if rng.random() < 0.02:
            rec.pop('stage')          # some logs lack the stage
        self.emit(t, rec)
        self.truth_ev(t, T, cause, fid, code, stan, 'error')
        return code

    def detail(self, T, t, code, sym, zh, en, stage, stan, extra, rng):
        v = T.vendor
        sx = (' stan=%s' % stan) if stan else ''
        if v == 'pax':
            return '[PAX %s][%s] %s%s%s' % (T.model, stage.upper(), en, (' ' + extra) if extra else '', sx)
        if v == 'newland':
            return '【%s】%s ret=%d%s' % (zh, en, -rng.randint(1, 99), (' ' + extra) if extra else '')
        if v == 'landi':
            return 'LANDI|%s|%s|%s%s' % (code, zh, extra, ('|' + stan) if stan else '')
        if v == 'sunmi':
            lt = datetime.fromtimestamp(t, TZ)
            return '%s.%03d E/PayKernel(%d): %s %s' % (lt.strftime('%m-%d %H:%M:%S'),
                                                      rng.randint(0, 999), rng.randint(1200, 9000),
                                                      en, extra)
        if v == 'centerm':
            return '%s(%s) %s%s' % (zh, code, extra, (' 流水号%s' % stan) if stan else '')
        if v == 'ingenico':
            return '%s ERR %s: %s%s' % (T.model.upper(), code, en.upper(), (' ' + extra.upper()) if extra else '')
        return 'vf[%d]: %s: %s (rc %s)%s' % (rng.randint(100, 999), stage, en, code,
                                            (' ' + extra) if extra else '')

    # ---------------------------------------------------------- state
    def act(self, T, kind, t):
        out = []
        for e in T.eff.get(kind, ()):
            if e.start <= t < e.end:
                lv = e.level(t)
                if lv > 0:
                    out.append((lv, e))
        return out

    def link(self, T, t):
        bc = 'network.lan' if T.net == 'ethernet' else 'network.signal'
        lc = [(T.base_loss, bc, None)]
        tc = [(T.base_lat, bc, None)]
        down = None
        rssi = T.base_rssi
        if rssi is not None:
            drops = [(e.mag['db'] * lv, e) for lv, e in self.act(T, 'rssi', t)]
            tot = sum(d for d, _ in drops)
            rssi = T.base_rssi - tot
            l0, a0, _ = sigq(T.net, T.base_rssi)
            l1, a1, dead = sigq(T.net, rssi)
            if l0 > 0:
                lc.append((l0, 'network.signal', None))
                tc.append((a0, 'network.signal', None))
            if tot > 0:
                for d, e in drops:
                    lc.append(((l1 - l0) * d / tot, e.cause, e.fid))
                    tc.append(((a1 - a0) * d / tot, e.cause, e.fid))
                if dead:
                    e = max(drops, key=lambda x: x[0])[1]
                    down = (e.cause, e.fid)
        for lv, e in self.act(T, 'net', t):
            m = e.mag
            if m.get('down') and lv >= 1.0 and down is None:
                down = (e.cause, e.fid)
            if m.get('loss'):
                lc.append((m['loss'] * lv, e.cause, e.fid))
            if m.get('lat'):
                tc.append((m['lat'] * lv, e.cause, e.fid))
        keep = 1.0
        for x in lc:
            keep *= (1.0 - clamp(x[0], 0.0, 0.99))
        return down, 1.0 - keep, lc, sum(x[0] for x in tc), tc, rssi

    def res(self, T, t, kind):
        base = {'storage': T.base_sto, 'memory': T.base_mem, 'cpu': T.base_cpu}[kind]
        v = base
        comps = [(0.0, {'storage': 'resource.storage', 'memory': 'resource.memory',
                        'cpu': 'resource.cpu'}[kind], None)]
        for lv, e in self.act(T, kind, t):
            add = (e.mag['to'] - base) * lv
            v += add
            comps.append((add, e.cause, e.fid))
        if kind == 'memory':
            for e in self.ver_effs(T, t, 'bug'):
                leak = e.mag.get('leak')
                if leak:
                    since = max(self.ver_since(T, e, t), T.last_boot)
                    add = leak * max(0.0, t - since) / HOUR
                    v += add
                    comps.append((add, e.cause, e.fid))
        if kind == 'cpu':
            for lv, e in self.act(T, 'board', t):
                add = e.mag.get('cpu', 0) * lv
                v += add
                comps.append((add, e.cause, e.fid))
        return clamp(v, 1.0, 100.0), comps

    def ver_since(self, T, e, t):
        hist = T.fw_hist if 'fw' in e.mag else T.app_hist
        since = -1e18
        for ht, ver in hist:
            if ht <= t:
                since = ht
        return since

    def ver_effs(self, T, t, kind):
        out = []
        fw = app = None
        for e in self.w.veff:
            m = e.mag
            if m['kind'] != kind or not (e.start <= t < e.end):
                continue
            if 'vendor' in m and m['vendor'] != T.vendor:
                continue
            if 'host' in m and m['host'] != T.host:
                continue
            if 'fw' in m:
                if fw is None:
                    fw = self.w.fw_at(T, t)
                if fw not in m['fw']:
                    continue
            if 'app' in m:
                if app is None:
                    app = self.w.app_at(T, t)
                if app not in m['app']:
                    continue
            if e.level(t) <= 0:
                continue
            out.append(e)
        return out

    def key_state(self, T, t):
        st, eff = 'ok', None
        for lv, e in self.act(T, 'key', t):
            if e.mag['state'] == 'missing':
                return 'missing', e
            st, eff = e.mag['state'], e
        return st, eff

    def skew(self, T, t):
        s = T.base_skew + T.skew_drift * (t - self.w.W0)
        eff = None
        for lv, e in self.act(T, 'clock', t):
            s += e.mag['skew']
            eff = e
        return s, eff

    def printer(self, T, t):
        for lv, e in self.act(T, 'printer', t):
            return e.mag['state'], e
        return 'ok', None

    def supply(self, T, t, rng):
        """sampled adapter output voltage; eff if it is out of range because of a fault"""
        vn = T.V['vnom'] or 5.0
        v = vn * (1 + rng.gauss(0, 0.005))
        eff = None
        for lv, e in self.act(T, 'supply', t):
            m = e.mag
            if m.get('steady'):
                v *= 1 - m['steady'] * lv * rng.uniform(0.8, 1.1)
                eff = e
            if rng.random() < m.get('p', 0) * lv:
                if rng.random() < 0.78:
                    v *= 1 - m.get('sag', 0.15) * rng.uniform(0.4, 1.0)
                else:
                    v *= 1 + m.get('surge', 0.1) * rng.uniform(0.3, 1.0)
                eff = e
        bad = eff if (v < 0.9 * vn or v > 1.1 * vn) else None
        return v, bad

    def is_off(self, T, t):
        if t < T.dyn_until:
            return T.dyn_iv
        i = bisect.bisect_right(T.off_starts, t) - 1
        if i >= 0 and t < T.off[i][1]:
            return T.off[i]
        return None

    def next_off_start(self, T, t):
        i = bisect.bisect_right(T.off_starts, t)
        return T.off[i] if i < len(T.off) else None

    def hour(self, t):
        return int((t - self.midnight) / HOUR) % 24

    def roll(self, haz, rng):
        idx = list(range(len(haz)))
        rng.shuffle(idx)
        for i in idx:
            h = haz[i]
            if h[0] > 0 and rng.random() < h[0]:
                cause, fid = pick_comp(h[1], rng)
                return (cause, fid) + tuple(h[2:])
        return None

    # ------------------------------------------------------ terminal loop
    def run(self):
        for T in self.w.terms:
            self.run_terminal(T)

    def push(self, t, prio, kind, data=None):
        import heapq
        self.n += 1
        heapq.heappush(self.heap, (t, prio, self.n, kind, data))

    def run_terminal(self, T):
        import heapq
        W = self.w
        V = T.V
        rng = random.Random('%d/sim/%s' % (W.seed, T.tid))
        self.heap, self.n = [], 0
        cad = V['cadence']
        t = W.W0 + T.tick_off
        while t < W.W1:
            self.push(t, 0, 'tick')
            t += cad + rng.uniform(-0.08, 0.08) * cad
        if T.rate > 0:
            lam = T.rate * 1.6 / HOUR
            act = ACT[T.seg]
            t = W.W0
            while True:
                t += rng.expovariate(lam)
                if t >= W.W1:
                    break
                if rng.random() < act[self.hour(t)] / 1.6:
                    self.push(t, 1, 'arr')
        for iv in T.off:
            if W.W0 <= iv[1] < W.W1:
                self.push(iv[1], 0, 'boot', iv)
        T.last_tick = W.W0 - cad
        T.pending_reboot = None
        T.cnt = {'keypad_errors': 0, 'card_reader_errors': 0, 'app_crashes': 0}
        T.busy = 0.0
        T.dyn_until, T.dyn_iv = -1.0, None
        T.last_boot = W.W0 - rng.uniform(2, 40) * HOUR
        for iv in T.off:
            if iv[1] <= W.W0:
                T.last_boot = max(T.last_boot, iv[1])
        T.rep_fw = W.fw_at(T, W.W0 - 1)
        T.rep_app = W.app_at(T, W.W0 - 1)
        T.stan = T.stan0
        T.inflight = None
        T.lost = 0
        T.appr = []
        T.pre_cnt = W.day_count(T, W.W0)
        T.dup = []
        while self.heap:
            t, prio, _, kind, data = heapq.heappop(self.heap)
            if t >= W.W1:
                continue
            if kind == 'tick':
                self.tick(T, t, rng)
            elif kind == 'boot':
                self.boot(T, t, data, rng)
            elif kind == 'arr':
                self.arrival(T, t, rng, data)
            elif kind == 'rev':
                self.reversal(T, t, rng, data)

    def next_stan(self, T):
        T.stan = T.stan % 999999 + 1
        return '%06d' % T.stan

    def boot(self, T, t, iv, rng):
        reason, cause, fid, berr = iv[2], iv[3], iv[4], iv[5]
        T.pending_reboot = reason
        T.last_boot = t
        if T.inflight is not None:
            # the power went while a transaction was in flight
            info = T.inflight
            T.inflight = None
            if rng.random() < 0.85:
                self.error(T, t + rng.uniform(6, 20), 'PWR', '', 'power_on', cause, fid, rng,
                           stan=info[0])
            self.push(t + rng.uniform(25, 90), 2, 'rev', (info[1], info[2], info[3], 0, cause, fid))
            return
        if cause and rng.random() < berr:
            sym, var = {'power_loss': ('PWR', 'boot'), 'watchdog': ('HW', ''),
                        'crash': ('CRASH', '')}.get(reason, ('PWR', 'boot'))
            if reason == 'power_loss' and T.power == 'battery':
                sym, var = 'LOWBAT', ''
            self.error(T, t + rng.uniform(5, 25), sym, var, 'power_on', cause, fid, rng)

    # -------------------------------------------------------- telemetry
    def tick(self, T, t, rng):
        W = self.w
        V = T.V
        F = V['fields']
        if self.is_off(T, t):
            if V['tms_offline']:
                self.emit(t, {'kind': 'telemetry', 'ts': iso(t), 'terminal_id': T.tid, 'online': False})
            return
        down, loss, lc, lat, tc, rssi = self.link(T, t)
        if down is not None:
            if V['tms_offline']:
                self.emit(t, {'kind': 'telemetry', 'ts': iso(t), 'terminal_id': T.tid, 'online': False})
            return
        if rng.random() < min(0.9, loss * 1.3):
            return       # heartbeat lost on the way
        rec = {'kind': 'telemetry', 'ts': iso(t), 'terminal_id': T.tid, 'online': True}
        if 'rssi_dbm' in F and rssi is not None:
            rec['rssi_dbm'] = int(round(rssi + rng.gauss(0, 2)))
        if 'latency_ms' in F:
            l = lat * math.exp(rng.gauss(0, 0.18))
            if loss > 0.03:
                l += loss * rng.uniform(500, 2500)
            rec['latency_ms'] = int(l)
        if 'packet_loss' in F:
            rec['packet_loss'] = round(clamp(loss + rng.gauss(0, 0.003 + loss * 0.15), 0.0, 1.0), 3)
        if 'supply_v' in F and T.power == 'mains':
            v, _ = self.supply(T, t, rng)
            rec['supply_v'] = round(v, 2)
        if 'battery_pct' in F and T.power == 'battery':
            rec['battery_pct'] = int(round(W.batt_at(T, t)))
        if 'power_events' in F and T.power == 'mains':
            a = bisect.bisect_right(T.dip_ts, T.last_tick)
            b = bisect.bisect_right(T.dip_ts, t)
            n = b - a
            for iv in T.off:
                if T.last_tick < iv[0] <= t and iv[2] == 'power_loss':
                    n += 1
            rec['power_events'] = n
        if T.pending_reboot and 'reboot' in F:
            rec['reboot'] = T.pending_reboot
        if 'storage_used_pct' in F:
            rec['storage_used_pct'] = int(round(self.res(T, t, 'storage')[0] + rng.gauss(0, 0.3)))
        if 'memory_used_pct' in F:
            rec['memory_used_pct'] = int(round(clamp(self.res(T, t, 'memory')[0] + rng.gauss(0, 1.5), 1, 100)))
        cpu = None
        if 'cpu_pct' in F or 'temp_c' in F:
            cpu = clamp(self.res(T, t, 'cpu')[0] + rng.gauss(0, 3), 1, 100)
        if 'cpu_pct' in F:
            rec['cpu_pct'] = int(round(cpu))
        if 'temp_c' in F:
            tb = sum(e.mag.get('temp', 0) * lv for lv, e in self.act(T, 'board', t))
            rec['temp_c'] = round(T.base_temp + cpu * 0.07 + tb + rng.gauss(0, 0.6), 1)
        if 'key_check' in F:
            rec['key_check'] = self.key_state(T, t)[0]
        if 'clock_skew_s' in F:
            rec['clock_skew_s'] = round(self.skew(T, t)[0], 1)
        if 'printer' in F and T.has_printer:
            rec['printer'] = self.printer(T, t)[0]
        for lv, e in self.act(T, 'keypad', t):
            k = e.mag.get('stuck', 0) * lv * (t - T.last_tick) / MIN
            T.cnt['keypad_errors'] += int(k + rng.random())
        for c in ('keypad_errors', 'card_reader_errors', 'app_crashes'):
            if c in F:
                rec[c] = T.cnt[c]
        fw = W.fw_at(T, t)
        if 'firmware' in F and fw != T.rep_fw:
            rec['firmware'] = fw
        app = W.app_at(T, t)
        if 'app_version' in F and app != T.rep_app:
            rec['app_version'] = app
        # a few samples lose an optional field
        if rng.random() < 0.03:
            ks = [k for k in rec if k not in ('kind', 'ts', 'terminal_id', 'online', 'reboot',
                                              'firmware', 'app_version')]
            if ks:
                rec.pop(rng.choice(ks))
        self.emit(t, rec)
        T.rep_fw, T.rep_app = fw, app
        T.pending_reboot = None
        T.last_tick = t
        for c in T.cnt:
            T.cnt[c] = 0

    # ---------------------------------------------------------- arrivals
    def arrival(self, T, t, rng, data):
        W = self.w
        if self.is_off(T, t):
            T.lost += 1
            return
        if t < T.busy:
            self.push(T.busy + rng.uniform(3, 20), 1, 'arr', data)
            return
        if data is None:
            seg = T.seg
            typ = wchoice(rng, TXN_TYPES.get(seg, TXN_TYPES['default']))
            channel = wchoice(rng, CHANNELS[seg])
            S = SEGMENTS[seg]
            amount = int(S['amt'] * math.exp(rng.gauss(0, S['sig'])))
            amount = max(100, amount // 10 * 10) if rng.random() < 0.7 else max(50, amount)
            if seg == 'hospital' and rng.random() < 0.05:
                amount *= rng.randint(5, 20)
            if typ == 'balance':
                amount = 0
                if channel == 'qr':
                    channel = 'card_ic'
            if typ in ('preauth', 'completion', 'refund', 'void') and channel == 'qr' and rng.random() < 0.6:
                channel = 'card_ic'
            card = self.new_card(rng) if channel != 'qr' else None
            data = dict(typ=typ, amount=amount, channel=channel, card=card, n=0, fallback=False)
        self.transact(T, t, rng, data)

    def new_card(self, rng):
        iss = wchoice(rng, ISSUER_W)
        b, credit = rng.choice(ISSUERS[iss])
        return {'issuer': iss, 'bin': b, 'credit': credit, 'pan': mask_pan(b, rng),
                'chip': rng.random() < 0.96}

    def retry(self, T, t, rng, data, kind):
        if data['n'] >= 2 or data['typ'] in ('void', 'reversal', 'completion'):
            return
        p = {'pre': 0.75, 'decline': 0.45, 'biz': 0.45, 'timeout': 0.6, 'net': 0.7,
             'card': 0.85}[kind]
        if rng.random() >= p:
            return
        d = dict(data)
        d['n'] = data['n'] + 1
        if kind == 'card' and data['channel'] == 'card_ic':
            x = rng.random()
            if x < 0.45:
                d['channel'], d['fallback'] = 'card_swipe', True
            elif x < 0.65:
                d['channel'], d['card'] = 'qr', None
        elif kind == 'decline':
            if rng.random() < 0.5:
                d['card'] = self.new_card(rng)
            else:
                d['channel'], d['card'] = 'qr', None
        elif kind in ('net', 'timeout', 'biz') and d['typ'] == 'purchase' and rng.random() < 0.3:
            d['channel'], d['card'] = 'qr', None
        if d['channel'] == 'qr' and d['typ'] == 'balance':
            return
        self.push(t + rng.uniform(8, 45), 1, 'arr', d)

    def reversal(self, T, t, rng, data):
        typ, amount, channel, tries, ocause, ofid = data
        if tries > 4:
            return
        if self.is_off(T, t) or t < T.busy:
            self.push(max(t, T.busy) + rng.uniform(30, 120), 2, 'rev',
                      (typ, amount, channel, tries + 1, ocause, ofid))
            return
        d = dict(typ='reversal', amount=amount, channel=channel, card=None, n=9, fallback=False,
                 rev=(typ, amount, channel, tries, ocause, ofid))
        self.transact(T, t, rng, d)

    # ------------------------------------------------------- transaction
    def hact(self, host, t):
        out = []
        for e in self.w.heff.get(host, ()):
            if e.start <= t < e.end:
                lv = e.level(t)
                if lv > 0:
                    out.append((lv, e))
        return out

    def gact(self, lst, t):
        out = []
        for e in lst:
            if e.start <= t < e.end:
                lv = e.level(t)
                if lv > 0:
                    out.append((lv, e))
        return out

    def dyn_reboot(self, T, t, reason, cause, fid, rng):
        until = t + rng.uniform(35, 110)
        T.dyn_until = until
        T.dyn_iv = [t, until, reason, cause, fid, 0.25]
        self.push(until, 0, 'boot', T.dyn_iv)
        T.busy = max(T.busy, until + 5)

    def pre_fail(self, T, t, f, stan, rng, d):
        cause, fid, sym, variant, stage = f
        extra = ''
        if sym == 'CONN' and variant in ('timeout', 'refused'):
            ip = HOST_IP[T.host]
            if cause == 'software.config':
                for lv, e in self.act(T, 'config', t):
                    ip = e.mag.get('ip', ip)
            extra = ip
        elif sym == 'CONN' and variant == 'nolink' and T.net == 'cellular':
            extra = 'PPP down' if T.vendor != 'sunmi' else 'NETWORK_STATE=DISCONNECTED'
        self.error(T, t, sym, variant, stage, cause, fid, rng,
                   stan=stan if stage != 'app' else None, extra=extra)
        T.busy = t + rng.uniform(5, 15)
        if sym == 'CARD':
            T.cnt['card_reader_errors'] += 1
        elif sym == 'PINKEY':
            T.cnt['keypad_errors'] += 1
        elif sym == 'CRASH':
            T.cnt['app_crashes'] += 1
            if rng.random() < 0.5:
                self.dyn_reboot(T, t, 'crash', cause, fid, rng)
        elif sym == 'MEM' and rng.random() < 0.3:
            T.cnt['app_crashes'] += 1
            self.dyn_reboot(T, t, 'crash', cause, fid, rng)
        elif sym == 'HW' and rng.random() < 0.3:
            self.dyn_reboot(T, t, 'watchdog', cause, fid, rng)
        if d['typ'] == 'reversal':
            r = d['rev']
            self.push(T.busy + rng.uniform(60, 180), 2, 'rev', (r[0], r[1], r[2], r[3] + 1, r[4], r[5]))
        else:
            k = 'card' if sym in ('CARD', 'FALLBK') else ('net' if sym in ('CONN', 'TLS', 'CERT', 'TLSVER') else 'pre')
            self.retry(T, T.busy, rng, d, k)

    def txn_rec(self, T, t, d, stan, rng, rc=None, timed_out=False, lat=None):
        M = T.merchant
        rec = {'kind': 'txn', 'ts': iso(t), 'terminal_id': T.tid, 'merchant_id': M.id,
               'type': d['typ'], 'amount': d['amount'], 'currency': T.cur,
               'channel': d['channel'], 'stan': stan}
        if rc is not None:
            lt = datetime.fromtimestamp(t, TZ)
            rec['rrn'] = '%03d%02d%d%s' % (lt.timetuple().tm_yday, lt.hour, rng.randint(0, 9), stan)
        rec['mcc'] = M.jump_mcc if (M.jump_mcc and rng.random() < 0.35) else M.mcc
        if rc is not None:
            rec['response_code'] = rc
        if timed_out:
            rec['timed_out'] = True
        if lat is not None:
            rec['latency_ms'] = int(lat)
        if rc == '00' and d['typ'] in ('purchase', 'completion'):
            rate = M.qr_rate if d['channel'] == 'qr' else M.card_rate
            rec['fee'] = int(round(d['amount'] * rate))
        if d.get('card'):
            rec['pan'] = d['card']['pan']
        if rng.random() < 0.015:
            k = rng.choice(['merchant_id', 'mcc', 'latency_ms', 'channel', 'rrn'])
            rec.pop(k, None)
        return rec

    def transact(self, T, t0, rng, d):
        W = self.w
        V = T.V
        M = T.merchant
        typ, amount, channel, card = d['typ'], d['amount'], d['channel'], d['card']
        stan = self.next_stan(T)
        t = t0
        cardish = channel != 'qr'
        needs_card = cardish and typ in ('purchase', 'preauth', 'refund', 'balance')
        need_pin = False
        if needs_card and typ != 'refund':
            if channel in ('card_ic', 'card_swipe'):
                need_pin = (not card['credit']) or rng.random() < 0.5
            elif channel == 'nfc':
                need_pin = amount > 100000
        op = [(T.op_p, 'operator.error', None)] + \
             [(e.mag['p'] * lv, e.cause, e.fid) for lv, e in self.act(T, 'operator', t)]
        opp = sum(c[0] for c in op)
        vn = V['vnom'] or 5.0
        # ---- application stage
        if typ != 'reversal':
            haz = []
            sto, stoc = self.res(T, t, 'storage')
            if sto >= 96:
                haz.append((min(0.97, 0.4 + (sto - 96) * 0.15), stoc, 'STOR', '', 'app'))
            mem, memc = self.res(T, t, 'memory')
            if mem >= 88:
                p = min(0.8, (mem - 88) / 12.0 * 0.8)
                haz.append((p * 0.45, memc, 'MEM', '', 'app'))
                haz.append((p * 0.35, memc, 'CRASH', '', 'app'))
            cpu, cpuc = self.res(T, t, 'cpu')
            if cpu >= 88:
                haz.append((min(0.7, (cpu - 88) / 12.0 * 0.7), cpuc, 'SLOW', '', 'app'))
            for e in self.ver_effs(T, t, 'bug'):
                m = e.mag
                if m.get('stage') == 'app' and (not m.get('chans') or channel in m['chans']):
                    haz.append((m['p'] * e.level(t), one(e), m.get('sym', 'CRASH'), '', 'app'))
            for lv, e in self.act(T, 'board', t):
                haz.append((e.mag['p'] * lv * 0.5, one(e), 'HW', rng.choice(['', 'sensor']), 'app'))
            for lv, e in self.act(T, 'display', t):
                haz.append((e.mag['p'] * lv * 0.5, one(e), 'DISP', '', 'app'))
            for lv, e in self.act(T, 'keypad', t):
                haz.append((e.mag['p'] * lv * 0.25, one(e), 'PINKEY', 'amount', 'app'))
            haz.append((opp * 0.45, op, 'OPER',
                        'menu' if typ == 'purchase' else rng.choice(['pwd', 'menu', 'amount']), 'app'))
            if T.power == 'battery':
                b = W.batt_at(T, t)
                if b is not None and b < 12:
                    comps = [(1.0, e.cause, e.fid) for lv, e in self.act(T, 'battery', t)] or \
                            [(1.0, 'power.battery', None)]
                    haz.append((0.25 if b > 5 else 0.6, comps, 'LOWBAT', '', 'app'))
            if T.power == 'mains':
                v, be = self.supply(T, t, rng)
                if be is not None and v < 0.86 * vn:
                    haz.append((0.35, one(be), 'PWR', 'low', 'app'))
            f = self.roll(haz, rng)
            if f:
                return self.pre_fail(T, t + rng.uniform(1, 4), f, stan, rng, d)
        # ---- card read
        t += rng.uniform(2, 6)
        if needs_card:
            haz = []
            ch = {'card_ic': 'ic', 'nfc': 'nfc', 'card_swipe': 'mag'}[channel]
            if channel == 'card_swipe' and card['chip'] and not d['fallback']:
                haz.append((0.5, op, 'FALLBK', '', 'card_read'))
            for lv, e in self.act(T, 'reader', t):
                if ch in e.mag['chans']:
                    haz.append((e.mag['p'] * lv, one(e), 'CARD', ch, 'card_read'))
            for e in self.ver_effs(T, t, 'bug'):
                m = e.mag
                if m.get('stage') == 'card_read' and channel in m.get('chans', ()):
                    haz.append((m['p'] * e.level(t), one(e), m.get('sym', 'CRASH'), '', 'card_read'))
            if T.power == 'mains':
                v, be = self.supply(T, t, rng)
                if be is not None:
                    haz.append((0.45, one(be), 'CARD', ch, 'card_read'))
            for lv, e in self.act(T, 'board', t):
                haz.append((e.mag['p'] * lv * 0.3, one(e), 'CARD', ch, 'card_read'))
            haz.append((0.002 + opp * 0.3, op, 'CARD', 'wrongway' if ch == 'ic' else ch, 'card_read'))
            f = self.roll(haz, rng)
            if f:
                return self.pre_fail(T, t, f, stan, rng, d)
        # ---- PIN entry
        wrong_pin = None
        if need_pin:
            t += rng.uniform(4, 12)
            haz = []
            kp = self.act(T, 'keypad', t)
            for lv, e in kp:
                haz.append((e.mag['p'] * lv, one(e), 'PINKEY', '', 'pin'))
            for lv, e in self.act(T, 'display', t):
                haz.append((e.mag['p'] * lv * 0.5, one(e), 'PINTO', '', 'pin'))
            haz.append((0.0015 + opp * 0.2, op, 'PINTO', '', 'pin'))
            f = self.roll(haz, rng)
            if f:
                return self.pre_fail(T, t, f, stan, rng, d)
            for lv, e in kp:
                if rng.random() < e.mag.get('wrong', 0) * lv:
                    wrong_pin = (1.0, e.cause, e.fid)
        # ---- MAC key present?
        ks, ke = self.key_state(T, t)
        if ks == 'missing':
            return self.pre_fail(T, t + 0.3, (ke.cause, ke.fid, 'KEYMISS', '', 'mac'), stan, rng, d)
        # ---- connect
        t += rng.uniform(0.3, 1.5)
        down, loss, lc, lat, tc, rssi = self.link(T, t)
        hA = self.hact(T.host, t)
        haz = []
        if down is not None:
            haz.append((1.0, [(1.0,) + down], 'CONN', 'nolink', 'connect'))
        for lv, e in self.act(T, 'config', t):
            if e.mag['what'] == 'host':
                haz.append((0.97 * lv, one(e), 'CONN', rng.choice(['timeout', 'refused', 'dns']), 'connect'))
        for lv, e in hA:
            if e.mag.get('down') and lv >= 1.0:
                haz.append((0.97, one(e), 'CONN', 'refused' if rng.random() < 0.6 else 'timeout', 'connect'))
        pc = 1.0 - (1.0 - loss ** 2) ** 3
        haz.append((pc, lc, 'CONN', 'timeout', 'connect'))
        f = self.roll(haz, rng)
        if f:
            tf = t + (rng.uniform(10, 30) if f[3] == 'timeout' else rng.uniform(0.5, 3))
            return self.pre_fail(T, tf, f, stan, rng, d)
        # ---- TLS
        haz = []
        if T.cert_not_after <= t < T.cert_renew:
            haz.append((1.0, [(1.0, 'security.certificate', T.cert_fid)], 'CERT', 'expired', 'tls'))
        sk, se = self.skew(T, t)
        if se is not None and abs(sk) > 30 * 86400:
            haz.append((1.0, one(se), 'CERT', 'notyet' if sk < 0 else 'expired', 'tls'))
        for e in self.ver_effs(T, t, 'ca'):
            haz.append((0.98, one(e), 'CERT', 'untrusted', 'tls'))
        for e in self.ver_effs(T, t, 'tlsver'):
            haz.append((0.98, one(e), 'TLSVER', '', 'tls'))
        f = self.roll(haz, rng)
        if f:
            return self.pre_fail(T, t + rng.uniform(0.5, 2.5), f, stan, rng, d)
        # ---- host processing
        t_send = t + rng.uniform(0.2, 1.0)
        hl = 0.0
        hlc = []
        g1, g2, g3 = [], [], []
        for lv, e in hA:
            m = e.mag
            if m.get('lat'):
                hl += m['lat'] * lv
                hlc.append((m['lat'] * lv, e.cause, e.fid))
            if m.get('err'):
                g1.append((m['err'] * lv, one(e), 'RC', '96', ''))
            if m.get('to'):
                g1.append((m['to'] * lv, one(e), 'TO', '', ''))
        for lv, e in self.act(T, 'corrupt', t):
            p = e.mag['p'] * lv
            g1.append((p * 0.4, one(e), 'RC', '30', ''))
            g1.append((p * 0.25, one(e), 'RC', 'A0', ''))
            g1.append((p * 0.35, one(e), 'GARBLE', 'len', ''))
        if ks == 'mismatch':
            g1.append((0.96, one(ke), 'RC', 'A0', ''))
        for lv, e in self.act(T, 'config', t):
            w = e.mag['what']
            if w == 'keyidx':
                g1.append((0.97 * lv, one(e), 'RC', 'A0', ''))
            elif w == 'tid':
                g1.append((0.97 * lv, one(e), 'RC', e.mag.get('rc', '97'), ''))
        for e in self.ver_effs(T, t, 'appver'):
            g1.append((0.95, one(e), 'RC', e.mag['rc'], ''))
        g1.append((0.0007, [(1.0, 'upstream.acquirer', None)], 'RC', '96', ''))
        if typ != 'reversal':
            for lv, e in self.gact(W.meff.get(M.id, ()), t):
                m = e.mag
                k = m['type']
                if k == 'frozen':
                    g2.append((0.98 * lv, one(e), 'RC', '03', ''))
                elif k == 'txntype':
                    if typ in m.get('types', ()):
                        g2.append((0.97, one(e), 'RC', '58', ''))
                    if m.get('credit') and card and card['credit']:
                        g2.append((0.97, one(e), 'RC', '57', ''))
                    if channel in m.get('chans', ()) and typ == 'purchase':
                        g2.append((0.97, one(e), 'RC', '58', ''))
                elif k == 'limit' and typ in ('purchase', 'preauth', 'completion'):
                    if m.get('max') and amount > m['max']:
                        g2.append((0.98, one(e), 'RC', '61', ''))
                    if m.get('count'):
                        n = T.pre_cnt + len(T.appr)
                        if n >= m['count']:
                            g2.append((0.97, one(e), 'RC', '65', ''))
                elif k == 'risk' and typ in ('purchase', 'preauth', 'refund'):
                    if amount >= m.get('min_amt', 0) and (not m.get('chans') or channel in m['chans']):
                        g2.append((m['p'] * lv, one(e), 'RC', m.get('rc', '59'), ''))
            if typ in ('refund', 'void'):
                g2.append((opp * 0.6 + 0.004, op, 'RC', '25' if typ == 'refund' else '12', ''))
            if typ != 'void':
                if cardish:
                    for lv, e in self.gact(W.ieff.get(card['issuer'], ()), t):
                        g3.append((e.mag['p'] * lv, one(e), 'RC', '91' if rng.random() < 0.7 else '98', ''))
                    for lv, e in self.gact(W.beff.get(card['bin'], ()), t):
                        g3.append((e.mag['p'] * lv, one(e), 'RC', rng.choice(e.mag['rcs']), ''))
                    if wrong_pin:
                        g3.append((1.0, [wrong_pin], 'RC', '55', ''))
                    if typ != 'refund':
                        rcs = [('51', 0.38), ('54', 0.1), ('05', 0.14), ('14', 0.05), ('61', 0.06),
                               ('65', 0.02), ('41', 0.02)]
                        if need_pin:
                            rcs.append(('55', 0.23))
                        g3.append((0.032, [(1.0, 'card.decline', None)], 'RC', wchoice(rng, rcs), ''))
                    g3.append((0.0004, [(1.0, 'upstream.issuer', None)], 'RC', '91', ''))
                elif typ == 'purchase':
                    g3.append((0.012, [(1.0, 'card.decline', None)], 'RC', '51', ''))
        f = self.roll(g1, rng) or self.roll(g2, rng) or self.roll(g3, rng)
        # ---- response / receive
        proc = rng.uniform(250, 800) + (rng.uniform(150, 600) if cardish else rng.uniform(200, 900))
        cpu = self.res(T, t, 'cpu')[0]
        tproc = max(0.0, cpu - 60) * rng.uniform(20, 90)
        ltot = 4 * lat + proc + hl + tproc + (loss * rng.uniform(0, 3000))
        tmo = V['timeout'] * 1000.0
        to_cause = None
        if f and f[2] == 'TO':
            to_cause = (f[0], f[1])
            f = None
        elif not (f and f[2] == 'GARBLE'):
            pr = 1.0 - (1.0 - loss ** 2) ** 3
            if rng.random() < pr:
                to_cause = pick_comp(lc, rng)
            elif ltot > tmo:
                comps = [(x[0], x[1], x[2]) for x in tc] + hlc + \
                        [(tproc, 'resource.cpu', None)] + \
                        [(add, c, fi) for add, c, fi in self.res(T, t, 'cpu')[1] if add > 0]
                to_cause = pick_comp([c for c in comps if c[1] != 'resource.cpu' or c[2]] or comps, rng)
        nx = self.next_off_start(T, t_send)
        span = min(ltot, tmo) / 1000.0
        if nx is not None and nx[3] is not None and nx[0] < t_send + span:
            # power (or battery) died with the request in flight
            rec = self.txn_rec(T, t_send, d, stan, rng, timed_out=True)
            rec.pop('latency_ms', None)
            self.emit(t_send, rec)
            self.truth_ev(t_send, T, nx[3], nx[4], 'timeout', stan, 'txn')
            if typ != 'reversal' and typ != 'balance':
                T.inflight = (stan, typ, amount, channel)
            T.busy = nx[1] + 5
            return
        if to_cause is not None or (f and f[2] == 'GARBLE'):
            cause, fid = to_cause if to_cause is not None else (f[0], f[1])
            rec = self.txn_rec(T, t_send, d, stan, rng, timed_out=True, lat=tmo)
            self.emit(t_send, rec)
            self.truth_ev(t_send, T, cause, fid, 'timeout', stan, 'txn')
            te = t_send + tmo / 1000.0 + rng.uniform(0.2, 1.5)
            if to_cause is not None:
                self.error(T, te, 'RTO', '', 'receive', cause, fid, rng, stan=stan,
                           extra='%ds' % V['timeout'])
            else:
                te = t_send + rng.uniform(1, 4)
                self.error(T, te, 'FMT', 'len', 'receive', cause, fid, rng, stan=stan)
            T.busy = te + rng.uniform(3, 10)
            if typ == 'reversal':
                r = d['rev']
                self.push(T.busy + rng.uniform(60, 180), 2, 'rev', (r[0], r[1], r[2], r[3] + 1, r[4], r[5]))
            else:
                if typ != 'balance':
                    self.push(T.busy + rng.uniform(5, 40), 2, 'rev', (typ, amount, channel, 0, cause, fid))
                self.retry(T, T.busy + 30, rng, d, 'timeout')
            return
        t_done = t_send + ltot / 1000.0
        if f:
            cause, fid, _, rc, _ = f
            rec = self.txn_rec(T, t_send, d, stan, rng, rc=rc, lat=ltot)
            self.emit(t_send, rec)
            self.truth_ev(t_send, T, cause, fid, rc, stan, 'txn')
            te = t_done + rng.uniform(0.3, 1.5)
            if V['log_rejects']:
                code = V['codes']['REJ']
                if code == 'RC':
                    code = 'RC' + rc
                rec = {'kind': 'error', 'ts': iso(te), 'terminal_id': T.tid, 'code': code,
                       'stage': 'receive', 'stan': stan,
                       'detail': self.detail(T, te, code, 'REJ', '交易失败[%s]%s' % (rc, RC_ZH.get(rc, '')),
                                             'declined rc=%s' % rc, 'receive', stan, '', rng)}
                self.emit(te, rec)
                self.truth_ev(te, T, cause, fid, code, stan, 'error')
            elif rc == 'A0' and rng.random() < 0.6:
                self.error(T, te, 'MAC', '', 'mac', cause, fid, rng, stan=stan)
            elif rc == '30' and rng.random() < 0.4:
                self.error(T, te, 'FMT', '', 'receive', cause, fid, rng, stan=stan)
            elif rc == '97' and rng.random() < 0.5:
                self.error(T, te, 'PARAM', '', 'receive', cause, fid, rng, stan=stan)
            T.busy = te + rng.uniform(3, 8)
            if typ == 'reversal':
                r = d['rev']
                self.push(T.busy + rng.uniform(60, 180), 2, 'rev', (r[0], r[1], r[2], r[3] + 1, r[4], r[5]))
            else:
                k = 'decline' if rc in ('51', '54', '05', '14', '61', '65', '55', '57', '41', '91', '98') else 'biz'
                if rc in ('30', 'A0', '96', '97', '40'):
                    k = 'net'
                self.retry(T, T.busy, rng, d, k)
            return
        # ---- approved
        rec = self.txn_rec(T, t_send, d, stan, rng, rc='00', lat=ltot)
        self.emit(t_send, rec)
        T.busy = t_done + rng.uniform(2, 6)
        if typ in ('purchase', 'preauth', 'completion'):
            T.appr.append(t_send)
        for e in self.ver_effs(T, t, 'bug'):
            m = e.mag
            if m.get('stage') == 'receive' and channel in m.get('chans', ()) and rng.random() < m['p'] * e.level(t):
                te = t_done + rng.uniform(0.1, 0.8)
                self.error(T, te, m.get('sym', 'FMT'), 'parse', 'receive', e.cause, e.fid, rng, stan=stan)
                T.cnt['app_crashes'] += 1 if m.get('sym') == 'CRASH' else 0
                T.busy = te + 5
                T.dup.append(te)
                self.retry(T, T.busy, rng, d, 'pre')
                return
        if T.has_printer and typ in ('purchase', 'refund', 'void', 'preauth', 'completion'):
            tp = t_done + rng.uniform(1, 3)
            haz = []
            st, pe = self.printer(T, tp)
            if st != 'ok':
                haz.append((0.97, one(pe), 'PAPER' if st == 'paper_out' else 'PRN', '', 'print'))
            for e in self.ver_effs(T, tp, 'bug'):
                m = e.mag
                if m.get('stage') == 'print':
                    haz.append((m['p'] * e.level(tp), one(e), m.get('sym', 'CRASH'), '', 'print'))
            if T.power == 'mains':
                v, be = self.supply(T, tp, rng)
                if be is not None and v < 0.9 * vn:
                    haz.append((0.5, one(be), 'PRN', 'volt', 'print'))
            f = self.roll(haz, rng)
            if f:
                cause, fid, sym, var, stage = f
                self.error(T, tp, sym, var, 'print', cause, fid, rng, stan=stan)
                if sym == 'CRASH':
                    T.cnt['app_crashes'] += 1
                    if rng.random() < 0.4:
                        self.dyn_reboot(T, tp, 'crash', cause, fid, rng)
                T.busy = tp + rng.uniform(10, 40)


# ================================================================== faults
SHARED_CAUSES = {'network.lan', 'network.carrier', 'upstream.acquirer', 'upstream.issuer',
                 'business.merchant', 'business.txn_type', 'business.limit', 'business.risk',
                 'card.decline', 'software.incompatible'}


class Injector:
    def __init__(self, W):
        self.W = W
        self.r = random.Random('%d/faults' % W.seed)
        self.n = 0
        self.focus = None
        self.used = defaultdict(int)   # tid -> number of single-terminal faults

    # ----------------------------------------------------------- helpers
    def fid(self):
        self.n += 1
        return 'F%02d-%02d' % (self.W.seed % 100, self.n)

    def window(self, dmin, dmax, early=0.0):
        """random fault interval; durations log-uniform in minutes.  When the
        fault targets known terminals (self.focus), the best of three draws by
        expected trading activity is kept (a fault at a closed shop is wasted)."""
        W, r = self.W, self.r
        focus, self.focus = self.focus, None
        best = None
        for k in range(3 if focus else 1):
            dur = math.exp(r.uniform(math.log(dmin), math.log(dmax))) * MIN
            lo = W.W0 - early * HOUR
            start = r.uniform(lo, W.W1 - 25 * MIN)
            end = min(start + dur, W.W1)
            if end - max(start, W.W0) < 8 * MIN:
                end = min(W.W1, max(start, W.W0) + 8 * MIN + r.uniform(0, 20) * MIN)
            score = sum(W.day_count(T, end) - W.day_count(T, max(start, W.W0)) for T in focus) \
                if focus else 0
            if best is None or score > best[0]:
                best = (score, start, end)
        return best[1], best[2]

    def onset(self, opts=(('sudden', 0.4), ('ramp', 0.25), ('intermittent', 0.35))):
        return wchoice(self.r, list(opts))

    def mk_eff(self, f, mag, onset=None, ramp=None, bursts_kw=None, floor=0.0, start=None, end=None):
        r = self.r
        onset = onset or f.onset
        s = f.start if start is None else start
        e = f.end if end is None else end
        bursts = None
        if onset == 'intermittent':
            bursts = make_bursts(r, s, e, **(bursts_kw or {}))
        rp = ramp if ramp is not None else max(120.0, (e - s) * r.uniform(0.2, 0.6))
        return Eff(s, e, f.cause, f.fid, mag, onset, rp, bursts, floor)

    def new(self, cause, scope, start, end, onset, severity, shared, desc):
        f = Fault(self.fid(), cause, scope, start, end, onset, severity, shared, desc)
        self.W.faults.append(f)
        self.W.fault_by_id[f.fid] = f
        return f

    def busy_ok(self, T):
        return self.used[T.tid] < 1

    def pick_term(self, pred, prefer_active=True):
        cands = [T for T in self.W.terms if pred(T) and self.busy_ok(T)]
        if prefer_active:
            for thr in (9, 6, 3):
                act = [T for T in cands if T.exp > thr]
                if len(act) >= 3:
                    cands = act
                    break
        if not cands:
            return None
        T = self.r.choice(cands)
        self.used[T.tid] += 1
        self.focus = [T]
        return T

    def single(self, T, f):
        f.terms = [T.tid]

    def people(self, f, t, rec):
        if t < self.W.W1 + 1800:
            f.people.append((t, rec))

    def check(self, f, t, target, name, result):
        rec = {'kind': 'check', 'ts': iso(t)}
        rec.update(target)
        rec['name'] = name
        rec['result'] = result
        self.people(f, t, rec)

    def resolve(self, f, target, notes, p=0.65, t=None):
        r = self.r
        if r.random() >= p:
            return
        t = t if t is not None else f.end + r.uniform(3, 25) * MIN
        if f.end >= self.W.W1 - 60:
            return      # still going on at the end of the window: nobody has closed it
        rec = {'kind': 'resolution', 'ts': iso(t)}
        rec.update(target)
        rec['cause'] = f.cause
        rec['notes'] = notes
        self.people(f, t, rec)

    def maint(self, f, t, T, action, notes):
        self.people(f, t, {'kind': 'maintenance', 'ts': iso(t), 'terminal_id': T.tid,
                           'action': action, 'notes': notes})

    # ------------------------------------------------------- orchestration
    def run(self):
        W, r = self.W, self.r
        forced = [CAUSES[(W.seed * 6 + k) % len(CAUSES)] for k in range(6)]
        total = r.randint(18, 22)
        plan = list(forced)
        if 'power.supply' not in plan:
            plan.append('power.supply')
        weights = []
        for c in CAUSES:
            w = 1.0
            if c in SHARED_CAUSES or c in ('power.supply', 'software.bug', 'security.keys',
                                           'security.certificate', 'software.config',
                                           'transmission.corruption'):
                w = 1.6
            if c == 'card.decline':
                w = 0.5
            weights.append((c, w))
        while len(plan) < total:
            plan.append(wchoice(r, weights))
        done = []
        for c in plan:
            fn = getattr(self, 'f_' + c.replace('.', '_'), None)
            ok = None
            for attempt in range(6):
                if fn is None:
                    break
                self.focus = None
                ok = fn()
                if ok:
                    break
            if ok:
                done.append(c)
        self.background()
        return done

    # ----------------------------------------------------- background
    def background(self):
        """ordinary, not-injected episodes (fault_id null)"""
        W, r = self.W, self.r
        for T in W.terms:
            if T.has_printer and r.random() < 0.06:
                s = r.uniform(W.W0, W.W1 - 10 * MIN)
                T.eff['printer'].append(Eff(s, s + r.uniform(4, 25) * MIN, 'hardware.printer', None,
                                            {'state': 'paper_out'}))
        # a routine, bug-free firmware release by one vendor (confounder for rollouts)
        v = r.choice(list(VENDORS))
        fws = VENDORS[v]['fws']
        newv = self.bump(fws[0][0], 7)
        t0 = r.uniform(W.W0, W.W0 + 3 * HOUR)
        for T in W.terms:
            if T.vendor == v and r.random() < 0.35:
                tu = t0 + r.uniform(0, 2 * HOUR)
                self.update_fw(T, tu, newv)

    def bump(self, ver, k):
        parts = ver.split('.')
        last = parts[-1]
        num = ''.join(ch for ch in last if ch.isdigit()) or '0'
        pre = last[:len(last) - len(num)] if last.endswith(num) else ''
        parts[-1] = pre + str(int(num) + k)
        return '.'.join(parts)

    def update_fw(self, T, tu, ver, app=False):
        W, r = self.W, self.r
        hist = T.app_hist if app else T.fw_hist
        hist.append((tu, ver))
        hist.sort(key=lambda x: x[0])
        W.add_off(T, tu, tu + r.uniform(70, 200), 'update', None, None, 0.0)
        if r.random() < 0.25:
            tm = tu + r.uniform(300, 900)
            W.people.append((tm, {
                'kind': 'maintenance', 'ts': iso(tm), 'terminal_id': T.tid,
                'action': 'firmware_update',
                'notes': ('远程升级应用至 %s' if app else 'TMS远程升级固件至 %s') % ver}))

    # ================================================= network faults
    def f_network_lan(self):
        W, r = self.W, self.r
        sites = [s for s in W.sites
                 if sum(1 for T in s.terms if T.net != 'cellular') >= 2 and
                 not getattr(s, 'lan_used', False)]
        if not sites:
            return None
        busy = [s for s in sites if sum(T.exp for T in s.terms if T.net != 'cellular') > 15]
        s = r.choice(busy or sites)
        s.lan_used = True
        self.focus = [T for T in s.terms if T.net != 'cellular']
        onset = self.onset((('intermittent', 0.55), ('sudden', 0.25), ('ramp', 0.2)))
        start, end = self.window(20, 180)
        sev = round(r.uniform(0.3, 1.0), 2)
        what = r.choice(['router', 'ap', 'switch', 'cabling'])
        f = self.new('network.lan', {'site_id': s.id}, start, end, onset, sev, True,
                     {'router': '门店路由器故障/过热', 'ap': '无线AP故障', 'switch': '交换机端口故障',
                      'cabling': '门店网线/水晶头老化'}[what])
        down = onset == 'intermittent' and r.random() < 0.6
        mag = {'loss': 0.12 + 0.5 * sev, 'lat': 250 + 2500 * sev * r.random(), 'down': down}
        e = self.mk_eff(f, mag, floor=0.15 if down else 0.3,
                        bursts_kw={'on': (40, 360), 'off': (120, 900)})
        for T in s.terms:
            if T.net == 'cellular':
                continue
            if what == 'ap' and T.net != 'wifi' and any(x.net == 'wifi' for x in s.terms):
                continue
            T.eff['net'].append(e)
            f.terms.append(T.tid)
        if not f.terms:
            for T in s.terms:
                if T.net != 'cellular':
                    T.eff['net'].append(e)
                    f.terms.append(T.tid)
        tc = start + (end - start) * r.uniform(0.3, 0.9)
        if r.random() < 0.5:
            self.check(f, tc, {'site_id': s.id}, 'router_restarted',
                       'ok' if r.random() < 0.5 else 'fail')
        if r.random() < 0.4:
            self.check(f, tc + 300, {'site_id': s.id}, 'cable_seated', 'ok')
        self.resolve(f, {'site_id': s.id}, r.choice(['重启路由器后恢复 / recovered after router restart',
                                                     '更换交换机端口 / switch port replaced',
                                                     '重新压制网线水晶头 / re-crimped cable']))
        return f

    # ================================================ upstream faults
    def f_upstream_acquirer(self):
        W, r = self.W, self.r
        host = wchoice(r, [('H1', 0.4), ('H2', 0.4), ('CUP', 0.2)])
        kind = r.choice(['down', 'degraded', 'degraded', 'flap'])
        if kind == 'down':
            start, end = self.window(5, 40)
            onset = 'sudden'
            mag = {'down': True, 'lat': 0}
        elif kind == 'degraded':
            start, end = self.window(15, 90)
            onset = 'ramp'
            mag = {'lat': r.uniform(8000, 30000), 'err': r.uniform(0.08, 0.35), 'to': r.uniform(0.05, 0.3)}
        else:
            start, end = self.window(20, 90)
            onset = 'intermittent'
            mag = {'down': True, 'err': 0.1}
        sev = {'down': 1.0, 'degraded': round(mag.get('err', 0.2) + 0.3, 2), 'flap': 0.7}[kind]
        f = self.new('upstream.acquirer', {'host': host}, start, end, onset, sev, True,
                     {'down': '收单主机宕机', 'degraded': '收单主机过载/响应慢',
                      'flap': '收单主机间歇性不可用'}[kind])
        e = self.mk_eff(f, mag, bursts_kw={'on': (60, 300), 'off': (180, 900)})
        W.heff[host].append(e)
        f.terms = [T.tid for T in W.terms if T.host == host]
        return f

    # =============================================== hardware faults
    def f_hardware_printer(self):
        W, r = self.W, self.r
        T = self.pick_term(lambda T: T.has_printer)
        if T is None:
            return None
        st = r.choice(['paper_out', 'fault', 'fault'])
        start, end = self.window(50, 300, early=0.5)
        f = self.new('hardware.printer', {'terminal_id': T.tid}, start, end, 'sudden',
                     1.0, False, '打印机缺纸' if st == 'paper_out' else '打印头/切刀故障')
        T.eff['printer'].append(self.mk_eff(f, {'state': st}, onset='sudden'))
        self.single(T, f)
        if st == 'paper_out':
            self.check(f, end - 60, {'terminal_id': T.tid}, 'paper_loaded', 'ok')
            self.resolve(f, {'terminal_id': T.tid}, '更换打印纸 / paper roll replaced', p=0.5)
        else:
            self.check(f, start + (end - start) * 0.6, {'terminal_id': T.tid}, 'printer_test', 'fail')
            self.maint(f, end + 120, T, 'repair', '更换打印头')
            self.resolve(f, {'terminal_id': T.tid}, '打印头损坏已更换 / print head replaced', p=0.7)
        return f

    def f_network_carrier(self):
        W, r = self.W, self.r
        groups = defaultdict(list)
        for T in W.terms:
            if T.net == 'cellular':
                groups[(T.carrier, T.site.city)].append(T)
        used = getattr(self, 'carrier_used', set())
        cands = [(k, v) for k, v in sorted(groups.items()) if len(v) >= 4 and k not in used]
        if not cands:
            return None
        (car, city), terms = wchoice(r, [((k, v), len(v)) for k, v in cands])
        used.add((car, city))
        self.carrier_used = used
        self.focus = list(terms)
        onset = self.onset((('sudden', 0.35), ('intermittent', 0.45), ('ramp', 0.2)))
        start, end = self.window(15, 160)
        sev = round(r.uniform(0.4, 1.0), 2)
        full = onset != 'ramp' and r.random() < 0.55
        mag = {'down': full, 'loss': 0.15 + 0.55 * sev, 'lat': r.uniform(600, 5000) * sev}
        f = self.new('network.carrier', {'carrier': car, 'city': city}, start, end, onset, sev,
                     True, '%s %s 基站/核心网故障' % ({'cmcc': '中国移动', 'cucc': '中国联通',
                                                   'ctcc': '中国电信'}[car], city))
        e = self.mk_eff(f, mag, floor=0.25, bursts_kw={'on': (90, 900), 'off': (120, 900)})
        for T in terms:
            T.eff['net'].append(e)
            f.terms.append(T.tid)
        if r.random() < 0.5:
            T = r.choice(terms)
            self.check(f, start + (end - start) * r.uniform(0.3, 0.8), {'terminal_id': T.tid},
                       'signal_test', '%ddBm' % (T.base_rssi + r.randint(-3, 3)))
        if r.random() < 0.4:
            T = r.choice(terms)
            self.resolve(f, {'terminal_id': T.tid}, '运营商确认区域网络故障已恢复 / carrier confirmed outage')
        return f

    def f_network_signal(self, site=None, win=None):
        W, r = self.W, self.r
        if site is not None:
            cands = [T for T in site.terms if T.net in ('cellular', 'wifi') and self.busy_ok(T)]
            if not cands:
                return None
            T = r.choice(cands)
            self.used[T.tid] += 1
        else:
            T = self.pick_term(lambda T: T.net in ('cellular', 'wifi'))
        if T is None:
            return None
        onset = self.onset((('sudden', 0.45), ('intermittent', 0.35), ('ramp', 0.2)))
        if win:
            start, end = win
        else:
            start, end = self.window(30, 300, early=0.5)
        target = r.uniform(-116, -101) if T.net == 'cellular' else r.uniform(-91, -78)
        db = max(8.0, T.base_rssi - target)
        sev = round(db / 34.0, 2)
        why = r.choice(['终端移至收银台内侧/金属柜旁', '附近施工遮挡', '微波炉/大功率设备干扰',
                        '天线松动'])
        f = self.new('network.signal', {'terminal_id': T.tid}, start, end, onset, sev, False,
                     '%s信号弱：%s' % ('蜂窝' if T.net == 'cellular' else 'Wi-Fi', why))
        T.eff['rssi'].append(self.mk_eff(f, {'db': db}, floor=0.35,
                                         bursts_kw={'on': (120, 900), 'off': (60, 600)}))
        self.single(T, f)
        if r.random() < 0.6:
            self.check(f, start + (end - start) * r.uniform(0.4, 0.9), {'terminal_id': T.tid},
                       'signal_test', '%ddBm' % int(T.base_rssi - db + r.randint(-3, 3)))
        self.resolve(f, {'terminal_id': T.tid}, r.choice(['终端移至靠窗位置 / moved near window',
                                                          '更换外置天线 / external antenna fitted',
                                                          '切换为有线网络 / switched to cable']))
        return f

    # ================================================= power faults
    def f_power_supply(self):
        if self.r.random() < 0.72 or not getattr(self, 'site_power_done', False):
            f = self.power_site()
            if f:
                self.site_power_done = True
                return f
        return self.power_single()

    def power_site(self):
        W, r = self.W, self.r
        sites = [s for s in W.sites if sum(1 for T in s.terms if T.power == 'mains') >= 2
                 and not getattr(s, 'pwr_used', False)]
        busy = [s for s in sites if sum(T.exp for T in s.terms if T.power == 'mains') > 12]
        sites = busy or sites
        if not sites:
            return None
        conf = [s for s in sites if any(T.net in ('cellular', 'wifi') and T.power == 'battery'
                                        for T in s.terms) and sum(T.exp for T in s.terms) > 12]
        want_conf = not getattr(self, 'conf_done', False)
        s = r.choice(conf if (conf and (want_conf or r.random() < 0.5)) else sites)
        s.pwr_used = True
        self.focus = [T for T in s.terms if T.power == 'mains']
        onset = self.onset((('intermittent', 0.5), ('sudden', 0.25), ('ramp', 0.25)))
        start, end = self.window(20, 240)
        sev = round(r.uniform(0.35, 1.0), 2)
        f = self.new('power.supply', {'site_id': s.id}, start, end, onset, sev, True,
                     r.choice(['门店市电电压不稳（大功率设备启停）', '商场配电故障，电压波动',
                               '台风天线路故障，间歇停电', '插排/电源线路老化']))
        e = self.mk_eff(f, {'sag': 0.12 + 0.15 * sev, 'surge': 0.08 + 0.08 * sev,
                            'p': 0.25 + 0.45 * sev},
                        bursts_kw={'on': (120, 900), 'off': (180, 1200)}, floor=0.2)
        mains = [T for T in s.terms if T.power == 'mains']
        for T in mains:
            T.eff['supply'].append(e)
            T.tol = r.uniform(0.25, 0.8)
            f.terms.append(T.tid)
        # voltage dips and outages, common to the whole site
        rate = (6 + 24 * sev) / HOUR
        t = start
        router_down = []
        deep_ts = []
        while True:
            t += r.expovariate(rate)
            if t >= end:
                break
            if r.random() >= e.level(t):
                continue
            if r.random() < 0.10 + 0.12 * sev:
                dur = r.uniform(40, 600)
                deep_ts.append(t)
                for T in mains:
                    W.add_off(T, t, t + dur + r.uniform(30, 90), 'power_loss', f.cause, f.fid, 0.45)
                router_down.append((t, t + dur + r.uniform(60, 150)))
            else:
                depth = r.random()
                for T in mains:
                    if depth > T.tol:
                        W.add_off(T, t, t + r.uniform(35, 120), 'power_loss', f.cause, f.fid, 0.35)
                    else:
                        T.dips.append((t, f.cause, f.fid))
        if router_down:
            ne = Eff(router_down[0][0], router_down[-1][1], f.cause, f.fid, {'down': True},
                     'intermittent', 1, router_down, 0.0)
            for T in s.terms:
                if T.net in ('ethernet', 'wifi'):
                    T.eff['net'].append(ne)
                    if T.tid not in f.terms:
                        f.terms.append(T.tid)
        # people
        tc = start + (end - start) * r.uniform(0.3, 0.8)
        if r.random() < 0.45:
            self.check(f, tc - 600, {'site_id': s.id}, 'router_restarted', 'ok')
        T = r.choice(mains)
        vn = T.V['vnom'] or 5.0
        self.check(f, tc, {'terminal_id': T.tid}, 'adapter_voltage',
                   '%.2fV' % (vn * (1 - r.uniform(0.08, 0.2))))
        if r.random() < 0.4:
            self.check(f, tc + 300, {'site_id': s.id}, 'mains_voltage', '%dV' % r.randint(176, 198))
        self.resolve(f, {'site_id': s.id}, r.choice(['加装稳压器/UPS后恢复 / UPS installed',
                                                     '电工修复配电箱 / distribution board repaired',
                                                     '更换插排 / power strip replaced']))
        # confounder: a weak-signal handheld inside the same site
        if r.random() < 0.75 or want_conf:
            g = self.f_network_signal(site=s, win=(start - r.uniform(0, 40) * MIN,
                                                   min(W.W1, end + r.uniform(0, 60) * MIN)))
            if g:
                self.conf_done = True
        # power damage to one board
        if deep_ts and deep_ts[-1] < W.W1 - 20 * MIN and r.random() < 0.35:
            cands = [T for T in mains if self.busy_ok(T)]
            if cands:
                T = r.choice(cands)
                self.used[T.tid] += 1
                self.f_hardware_board(T=T, start=deep_ts[-1] + 200)
        return f

    def power_single(self):
        W, r = self.W, self.r
        T = self.pick_term(lambda T: T.power == 'mains')
        if T is None:
            return None
        onset = self.onset((('ramp', 0.45), ('intermittent', 0.35), ('sudden', 0.2)))
        start, end = self.window(40, 330, early=0.5)
        sev = round(r.uniform(0.3, 1.0), 2)
        f = self.new('power.supply', {'terminal_id': T.tid}, start, end, onset, sev, False,
                     '电源适配器输出不稳/老化')
        e = self.mk_eff(f, {'steady': 0.06 + 0.1 * sev, 'sag': 0.15, 'p': 0.2 + 0.4 * sev},
                        floor=0.3)
        T.eff['supply'].append(e)
        rate = (1 + 5 * sev) / HOUR
        t = start
        while True:
            t += r.expovariate(rate)
            if t >= end:
                break
            if r.random() < e.level(t):
                if r.random() < 0.5:
                    W.add_off(T, t, t + r.uniform(35, 100), 'power_loss', f.cause, f.fid, 0.4)
                else:
                    T.dips.append((t, f.cause, f.fid))
        self.single(T, f)
        vn = T.V['vnom'] or 5.0
        self.check(f, start + (end - start) * r.uniform(0.4, 0.9), {'terminal_id': T.tid},
                   'adapter_voltage', '%.2fV' % (vn * (1 - 0.06 - 0.1 * sev)))
        self.maint(f, end + 300, T, 'part_replaced', '更换电源适配器')
        self.resolve(f, {'terminal_id': T.tid}, '适配器输出电压偏低，已更换 / adapter replaced', p=0.7)
        return f

    def f_power_battery(self):
        W, r = self.W, self.r
        T = self.pick_term(lambda T: T.power == 'battery' and T.exp > 4)
        if T is None:
            return None
        start, end = self.window(120, 360, early=1.0)
        onset = r.choice(['sudden', 'ramp'])
        sev = round(r.uniform(0.4, 1.0), 2)
        f = self.new('power.battery', {'terminal_id': T.tid}, start, end, onset, sev, False,
                     r.choice(['电池老化，容量衰减', '电池鼓包', '充电座接触不良，电池未充电']))
        T.eff['battery'].append(self.mk_eff(f, {'drain': 0.5 + 0.9 * sev}, ramp=1800))
        T.batt_start = r.uniform(25, 60)
        self.single(T, f)
        self.check(f, start + (end - start) * r.uniform(0.5, 0.9), {'terminal_id': T.tid},
                   'battery_health', '%d%%' % r.randint(35, 60))
        self.maint(f, end + 200, T, 'part_replaced', '更换电池')
        self.resolve(f, {'terminal_id': T.tid}, '电池老化已更换 / battery replaced', p=0.6)
        return f

    # =============================================== hardware faults
    def f_hardware_keypad(self):
        W, r = self.W, self.r
        T = self.pick_term(lambda T: T.has_keypad and T.exp > 4)
        if T is None:
            return None
        onset = self.onset((('ramp', 0.35), ('intermittent', 0.35), ('sudden', 0.3)))
        start, end = self.window(90, 360, early=1.0)
        sev = round(r.uniform(0.3, 1.0), 2)
        f = self.new('hardware.keypad', {'terminal_id': T.tid}, start, end, onset, sev, False,
                     r.choice(['数字键5卡键', '键盘膜进水', '确认键失灵']))
        T.eff['keypad'].append(self.mk_eff(f, {'p': 0.3 + 0.5 * sev, 'wrong': 0.15 + 0.3 * sev,
                                                'stuck': 0.5 + 4 * sev}, floor=0.4))
        self.single(T, f)
        self.check(f, start + (end - start) * r.uniform(0.5, 0.95), {'terminal_id': T.tid},
                   'keypad_test', 'fail')
        self.maint(f, end + 300, T, 'part_replaced', '更换键盘膜')
        self.resolve(f, {'terminal_id': T.tid}, '键盘按键失灵，已更换 / keypad replaced', p=0.6)
        return f

    def f_hardware_display(self):
        W, r = self.W, self.r
        T = self.pick_term(lambda T: T.exp > 4)
        if T is None:
            return None
        onset = self.onset((('intermittent', 0.5), ('sudden', 0.3), ('ramp', 0.2)))
        start, end = self.window(90, 360, early=1.0)
        sev = round(r.uniform(0.3, 1.0), 2)
        f = self.new('hardware.display', {'terminal_id': T.tid}, start, end, onset, sev, False,
                     r.choice(['屏幕排线松动，间歇黑屏', '液晶屏花屏', '背光损坏']))
        T.eff['display'].append(self.mk_eff(f, {'p': 0.3 + 0.5 * sev}, floor=0.15))
        self.single(T, f)
        self.check(f, start + (end - start) * r.uniform(0.5, 0.95), {'terminal_id': T.tid},
                   'display_check', 'fail')
        self.maint(f, end + 300, T, 'repair', '更换显示屏排线')
        self.resolve(f, {'terminal_id': T.tid}, '显示屏排线松动 / display cable reseated', p=0.6)
        return f

    def f_hardware_card_reader(self):
        W, r = self.W, self.r
        T = self.pick_term(lambda T: T.exp > 5 and T.seg in ('petrol', 'hospital', 'chain', 'restaurant'))
        if T is None:
            return None
        kind = wchoice(r, [('ic', 0.6), ('nfc', 0.25), ('both', 0.15)])
        chans = {'ic': ('ic',), 'nfc': ('nfc',), 'both': ('ic', 'nfc')}[kind]
        onset = self.onset((('ramp', 0.55), ('intermittent', 0.25), ('sudden', 0.2)))
        start, end = self.window(100, 360, early=1.5)
        sev = round(r.uniform(0.35, 1.0), 2)
        f = self.new('hardware.card_reader', {'terminal_id': T.tid}, start, end, onset, sev, False,
                     {'ic': 'IC卡座触点磨损/氧化', 'nfc': '非接天线故障', 'both': '读卡模块故障'}[kind])
        T.eff['reader'].append(self.mk_eff(f, {'p': 0.4 + 0.55 * sev, 'chans': chans}, floor=0.35))
        self.single(T, f)
        if r.random() < 0.6:
            self.check(f, start + (end - start) * r.uniform(0.5, 0.95), {'terminal_id': T.tid},
                       'card_reader_clean', r.choice(['ok', 'fail']))
        self.maint(f, end + 300, T, 'part_replaced', '更换IC卡座' if kind == 'ic' else '更换读卡模块')
        self.resolve(f, {'terminal_id': T.tid}, '读卡器故障 / card reader replaced', p=0.6)
        return f

    def f_hardware_board(self, T=None, start=None):
        W, r = self.W, self.r
        linked = T is not None
        if T is None:
            T = self.pick_term(lambda T: T.exp > 3)
        if T is None:
            return None
        if start is None:
            start, end = self.window(80, 360, early=1.0)
        else:
            end = W.W1
        sev = round(r.uniform(0.3, 1.0), 2)
        f = self.new('hardware.board', {'terminal_id': T.tid}, start, end,
                     'sudden' if linked else r.choice(['sudden', 'ramp']), sev, False,
                     '电压冲击导致主板元件损坏' if linked else r.choice(['主板受潮', '主板电容鼓包', '射频模块虚焊']))
        e = self.mk_eff(f, {'p': 0.08 + 0.2 * sev, 'temp': 6 + 14 * sev, 'cpu': 10 + 30 * sev})
        T.eff['board'].append(e)
        rate = (0.8 + 4 * sev) / HOUR
        t = start
        while True:
            t += r.expovariate(rate)
            if t >= end:
                break
            if r.random() < e.level(t):
                W.add_off(T, t, t + r.uniform(45, 150), 'watchdog', f.cause, f.fid, 0.6)
        self.single(T, f)
        self.check(f, start + (end - start) * 0.7, {'terminal_id': T.tid}, 'temperature',
                   '%d℃' % int(T.base_temp + 6 + 14 * sev))
        self.maint(f, end + 600, T, 'part_replaced', '更换主板')
        self.resolve(f, {'terminal_id': T.tid}, '主板损坏已更换 / main board replaced', p=0.6)
        return f

    # =============================================== software faults
    def f_software_bug(self):
        W, r = self.W, self.r
        if r.random() < 0.6:
            return self.bug_firmware()
        return self.bug_app()

    def bug_spec(self, app=False):
        r = self.r
        opts = [('nfc_crash', 0.25), ('leak', 0.25), ('print_crash', 0.15), ('app_crash', 0.2)]
        if app:
            opts.append(('qr_parse', 0.35))
        k = wchoice(r, opts)
        if k == 'nfc_crash':
            return k, {'stage': 'card_read', 'chans': ('nfc',), 'sym': 'CRASH', 'p': r.uniform(0.35, 0.75)}, \
                '非接交易时内核崩溃'
        if k == 'leak':
            return k, {'leak': r.uniform(9, 22)}, '内存泄漏，运行数小时后内存耗尽'
        if k == 'print_crash':
            return k, {'stage': 'print', 'sym': 'CRASH', 'p': r.uniform(0.3, 0.6)}, '打印签购单时应用崩溃'
        if k == 'app_crash':
            return k, {'stage': 'app', 'sym': 'CRASH', 'p': r.uniform(0.06, 0.16)}, '随机闪退'
        return k, {'stage': 'receive', 'chans': ('qr',), 'sym': 'FMT', 'p': r.uniform(0.3, 0.65)}, \
            '扫码应答报文新字段解析失败（主机已扣款）'

    def bug_firmware(self):
        W, r = self.W, self.r
        vs = [v for v in VENDORS if sum(1 for T in W.terms if T.vendor == v) >= 10 and
              v not in getattr(self, 'fw_bug_v', set())]
        if not vs:
            return None
        v = r.choice(vs)
        self.fw_bug_v = getattr(self, 'fw_bug_v', set()) | {v}
        base = max((x[0] for x in VENDORS[v]['fws']), key=lambda s: [int(''.join(c for c in p if c.isdigit()) or 0) for p in s.split('.')])
        newv = self.bump(base, 2)
        kind, spec, desc = self.bug_spec()
        R = r.uniform(W.W0 - 0.7 * HOUR, W.W0 + 2.5 * HOUR)
        share = r.uniform(0.45, 0.85)
        fixv = self.bump(newv, 1) if r.random() < 0.4 else None
        F = R + r.uniform(2, 3.5) * HOUR if fixv else None
        f = self.new('software.bug', {'vendor': v, 'firmware': newv}, R, W.W1, 'staged', 
                     round(spec.get('p', spec.get('leak', 10) / 25.0), 2), True,
                     '固件 %s %s：%s' % (v, newv, desc))
        mag = dict(spec)
        mag.update({'kind': 'bug', 'vendor': v, 'fw': {newv}})
        W.veff.append(Eff(R, W.W1 + HOUR, f.cause, f.fid, mag))
        first, last = None, None
        for T in W.terms:
            if T.vendor != v or r.random() >= share:
                continue
            tu = R + r.uniform(0, 1.6 * HOUR) * (1 if r.random() < 0.8 else 0.3)
            if tu >= W.W1 - 10 * MIN:
                continue
            self.update_fw(T, tu, newv)
            f.terms.append(T.tid)
            first = tu if first is None else min(first, tu)
            if fixv:
                tf = max(F, tu + 20 * MIN) + r.uniform(0, 40 * MIN)
                if tf < W.W1:
                    self.update_fw(T, tf, fixv)
                    last = tf if last is None else max(last, tf)
                else:
                    last = W.W1
        if not f.terms:
            W.faults.remove(f)
            return None
        f.start = first
        f.end = last if (fixv and last) else W.W1
        if fixv:
            f.desc += '；%s 修复' % fixv
            T = W.tmap[r.choice(f.terms)]
            self.resolve(f, {'terminal_id': T.tid}, '固件%s缺陷，升级%s后恢复 / fixed by %s' % (newv, fixv, fixv), p=0.8)
        return f

    def bug_app(self):
        W, r = self.W, self.r
        if getattr(self, 'app_bug_done', False):
            return None
        self.app_bug_done = True
        newv = '5.2.0'
        kind, spec, desc = self.bug_spec(app=True)
        R = r.uniform(W.W0 - 0.5 * HOUR, W.W0 + 2.5 * HOUR)
        vendors = set(r.sample(sorted(VENDORS), r.randint(2, 5)))
        share = r.uniform(0.4, 0.8)
        fixv = '5.2.1' if r.random() < 0.45 else None
        F = R + r.uniform(2, 3.5) * HOUR if fixv else None
        f = self.new('software.bug', {'app_version': newv}, R, W.W1, 'staged',
                     round(spec.get('p', spec.get('leak', 10) / 25.0), 2), True,
                     '收单应用 %s：%s' % (newv, desc))
        mag = dict(spec)
        mag.update({'kind': 'bug', 'app': {newv}})
        W.veff.append(Eff(R, W.W1 + HOUR, f.cause, f.fid, mag))
        first = last = None
        for T in W.terms:
            if T.vendor not in vendors or T.app0 == '4.8.6' or r.random() >= share:
                continue
            tu = R + r.uniform(0, 1.8 * HOUR)
            if tu >= W.W1 - 10 * MIN:
                continue
            self.update_fw(T, tu, newv, app=True)
            f.terms.append(T.tid)
            first = tu if first is None else min(first, tu)
            if fixv:
                tf = max(F, tu + 20 * MIN) + r.uniform(0, 40 * MIN)
                if tf < W.W1:
                    self.update_fw(T, tf, fixv, app=True)
                    last = tf if last is None else max(last, tf)
                else:
                    last = W.W1
        if not f.terms:
            W.faults.remove(f)
            return None
        f.start = first
        f.end = last if (fixv and last) else W.W1
        if fixv:
            f.desc += '；%s 修复' % fixv
        return f

    def f_software_incompatible(self):
        W, r = self.W, self.r
        done = getattr(self, 'incompat_done', set())
        variants = []
        for h in HOSTS:
            old_fw = [T for T in W.terms if T.host == h and T.fw0 == T.V['fws'][-1][0]]
            old_app = [T for T in W.terms if T.host == h and T.app0 == '4.8.6']
            if len(old_fw) >= 3 and ('tls', h) not in done:
                variants.append((('tls', h, old_fw), len(old_fw)))
            if len(old_app) >= 3 and ('app', h) not in done:
                variants.append((('app', h, old_app), len(old_app)))
        if not variants:
            return None
        kind, h, terms = wchoice(r, variants)
        done.add((kind, h))
        self.incompat_done = done
        start, end = self.window(40, 240)
        if kind == 'tls':
            vs = sorted({T.vendor for T in terms})
            keep = set(r.sample(vs, min(len(vs), r.randint(1, 3))))
            terms = [T for T in terms if T.vendor in keep]
            fws = sorted({T.fw0 for T in terms})
            scope = {'host': h, 'firmware': fws if len(fws) > 1 else fws[0]}
            desc = '主机%s关闭TLS1.0/1.1，旧固件仅支持TLS1.0' % h
            mag = {'kind': 'tlsver', 'host': h, 'fw': set(fws)}
        else:
            scope = {'host': h, 'app_version': '4.8.6'}
            desc = '主机%s启用新版报文规范（60域），应用4.8.6不兼容' % h
            mag = {'kind': 'appver', 'host': h, 'app': {'4.8.6'}, 'rc': '40' if h == 'H2' else '30'}
        f = self.new('software.incompatible', scope, start, end, 'sudden', 1.0, True, desc)
        W.veff.append(Eff(start, end, f.cause, f.fid, mag))
        f.terms = [T.tid for T in terms]
        # the TMS upgrades some of them during the incident
        for T in terms:
            if r.random() < 0.55:
                tu = start + r.uniform(20, 100) * MIN
                if tu < end:
                    if kind == 'tls':
                        self.update_fw(T, tu, T.V['fws'][0][0])
                    else:
                        self.update_fw(T, tu, '5.1.4', app=True)
        T = W.tmap[r.choice(f.terms)]
        self.resolve(f, {'terminal_id': T.tid}, '版本过旧与主机不兼容，已升级 / upgraded to a supported version',
                     p=0.6, t=start + r.uniform(40, 120) * MIN)
        return f

    def f_software_config(self):
        W, r = self.W, self.r
        if r.random() < 0.3:
            ms = [m for m in W.merchants if len(m.terms) >= 3 and not getattr(m, 'biz_used', False)]
            if ms:
                m = r.choice(ms)
                m.biz_used = True
                start, end = self.window(20, 200)
                f = self.new('software.config', {'merchant_id': m.id, 'param': 'host_address'},
                             start, end, 'sudden', 1.0, True, 'TMS下发参数模板错误（主机端口）')
                wrong = HOST_IP[m.host].rsplit(':', 1)[0] + ':%d' % r.choice([5002, 8584, 7010, 9001])
                e = Eff(start, end, f.cause, f.fid, {'what': 'host', 'ip': wrong})
                for T in m.terms:
                    T.eff['config'].append(e)
                    f.terms.append(T.tid)
                T = r.choice(m.terms)
                self.check(f, start + (end - start) * 0.6, {'terminal_id': T.tid}, 'param_check', 'fail')
                self.resolve(f, {'terminal_id': T.tid}, '主机端口参数错误，重新下发 / host port corrected', p=0.7)
                return f
        T = self.pick_term(lambda T: T.exp > 3)
        if T is None:
            return None
        what = wchoice(r, [('host', 0.4), ('tid', 0.3), ('keyidx', 0.3)])
        start, end = self.window(25, 300, early=0.3)
        desc = {'host': '主机IP参数配置错误', 'tid': '终端号/商户号参数与主机登记不一致',
                'keyidx': '主密钥索引配置错误'}[what]
        f = self.new('software.config', {'terminal_id': T.tid}, start, end, 'sudden', 1.0, False, desc)
        mag = {'what': what}
        if what == 'host':
            mag['ip'] = '10.%d.%d.%d:%d' % (r.randint(0, 255), r.randint(0, 255), r.randint(1, 254), r.choice([5001, 8583, 9000]))
        if what == 'tid':
            mag['rc'] = r.choice(['97', '97', '03'])
        T.eff['config'].append(Eff(start, end, f.cause, f.fid, mag))
        self.single(T, f)
        if r.random() < 0.6:
            t0 = start - r.uniform(2, 10) * MIN
            self.maint(f, t0, T, r.choice(['part_replaced', 'repair']),
                       r.choice(['换机后重新下载参数', '维修后重新装机', 'swap unit, params reloaded']))
        self.check(f, start + (end - start) * 0.7, {'terminal_id': T.tid}, 'param_check', 'fail')
        self.resolve(f, {'terminal_id': T.tid}, '终端参数配置错误已更正 / terminal parameters corrected', p=0.7)
        return f

    def f_transmission_corruption(self):
        W, r = self.W, self.r
        if r.random() < 0.35:
            sites = [s for s in W.sites if sum(1 for T in s.terms if T.net == 'ethernet') >= 2
                     and not getattr(s, 'lan_used', False)]
            busy = [s for s in sites if sum(T.exp for T in s.terms if T.net == 'ethernet') > 12]
            sites = busy or sites
            if sites:
                s = r.choice(sites)
                s.lan_used = True
                start, end = self.window(20, 240)
                onset = self.onset((('intermittent', 0.5), ('sudden', 0.5)))
                sev = round(r.uniform(0.3, 1.0), 2)
                f = self.new('transmission.corruption', {'site_id': s.id}, start, end, onset, sev,
                             True, '交换机故障导致报文错包')
                e = self.mk_eff(f, {'p': 0.15 + 0.3 * sev}, floor=0.3)
                ne = self.mk_eff(f, {'loss': 0.01 + 0.03 * sev}, onset='sudden')
                for T in s.terms:
                    if T.net == 'ethernet':
                        T.eff['corrupt'].append(e)
                        T.eff['net'].append(ne)
                        f.terms.append(T.tid)
                self.check(f, start + (end - start) * 0.6, {'site_id': s.id}, 'cable_seated', 'ok')
                self.resolve(f, {'site_id': s.id}, '交换机端口CRC错误，已更换交换机 / switch replaced')
                return f
        T = self.pick_term(lambda T: T.exp > 4 and T.net in ('ethernet', 'wifi'))
        if T is None:
            return None
        onset = self.onset((('intermittent', 0.5), ('sudden', 0.3), ('ramp', 0.2)))
        start, end = self.window(30, 300, early=0.3)
        sev = round(r.uniform(0.3, 1.0), 2)
        f = self.new('transmission.corruption', {'terminal_id': T.tid}, start, end, onset, sev, False,
                     r.choice(['网线水晶头松动', '外接密码键盘串口线接触不良', '无线干扰导致报文损坏']))
        T.eff['corrupt'].append(self.mk_eff(f, {'p': 0.15 + 0.35 * sev}, floor=0.3))
        self.single(T, f)
        self.check(f, start + (end - start) * 0.7, {'terminal_id': T.tid}, 'cable_seated', 'fail')
        self.resolve(f, {'terminal_id': T.tid}, '线缆接触不良已重插/更换 / cable reseated', p=0.6)
        return f

    # =============================================== security faults
    def f_security_keys(self):
        W, r = self.W, self.r
        if r.random() < 0.5:
            combos = defaultdict(list)
            for T in W.terms:
                if T.exp > 0:
                    combos[(T.host, T.vendor)].append(T)
            used = getattr(self, 'key_used', set())
            c = [(k, v) for k, v in sorted(combos.items()) if len(v) >= 5 and k not in used]
            if c:
                (h, v), terms = r.choice(c)
                used.add((h, v))
                self.key_used = used
                R = r.uniform(W.W0 + 0.2 * HOUR, W.W1 - 1.5 * HOUR)
                f = self.new('security.keys', {'host': h, 'vendor': v}, R, R, 'staged', 1.0, True,
                             '主机%s工作密钥轮换，%s终端签到下载新密钥失败' % (h, v))
                p = r.uniform(0.3, 0.7)
                ends = []
                for T in terms:
                    if r.random() >= p:
                        continue
                    s = R + r.uniform(0, 25) * MIN    # first sign-in after the rotation
                    e = min(W.W1, s + r.uniform(15, 130) * MIN)
                    T.eff['key'].append(Eff(s, e, f.cause, f.fid, {'state': 'mismatch'}))
                    f.terms.append(T.tid)
                    ends.append(e)
                if not f.terms:
                    W.faults.remove(f)
                    return None
                f.end = max(ends)
                T = W.tmap[r.choice(f.terms)]
                self.check(f, R + 45 * MIN, {'terminal_id': T.tid}, 'key_check', 'mismatch')
                return f
        T = self.pick_term(lambda T: T.exp > 3)
        if T is None:
            return None
        state = r.choice(['missing', 'mismatch'])
        start, end = self.window(25, 300, early=0.5)
        f = self.new('security.keys', {'terminal_id': T.tid}, start, end, 'sudden', 1.0, False,
                     '触发防拆，密钥被清除' if state == 'missing' else '工作密钥与主机不同步')
        T.eff['key'].append(Eff(start, end, f.cause, f.fid, {'state': state}))
        self.single(T, f)
        if state == 'missing' and start > W.W0:
            W.add_off(T, start - 40, start, 'crash', None, None, 0.0)
        self.check(f, start + (end - start) * 0.7, {'terminal_id': T.tid}, 'key_reinjected', 'ok')
        self.resolve(f, {'terminal_id': T.tid}, '重新灌装密钥/签到后恢复 / keys reloaded', p=0.7)
        return f

    def f_security_certificate(self):
        W, r = self.W, self.r
        k = wchoice(r, [('batch', 0.4), ('ca', 0.3), ('clock', 0.3)])
        if k == 'batch':
            ms = [m for m in W.merchants if len(m.terms) >= 3 and not getattr(m, 'cert_used', False)]
            if ms:
                m = r.choice(ms)
                m.cert_used = True
                texp = W.W0 + r.randint(1, 4) * HOUR + r.choice([0, 0, 1800])
                ren = texp + r.uniform(40, 200) * MIN
                f = self.new('security.certificate', {'merchant_id': m.id, 'cert_not_after': iso(texp)},
                             texp, min(ren, W.W1), 'sudden', 1.0, True, '同批次终端证书到期未续签')
                for T in m.terms:
                    T.cert_not_after = texp
                    T.cert_fid = f.fid
                    T.cert_renew = ren + r.uniform(0, 20) * MIN
                    f.terms.append(T.tid)
                f.end = min(W.W1, max(W.tmap[x].cert_renew for x in f.terms))
                T = r.choice(m.terms)
                self.check(f, texp + 35 * MIN, {'terminal_id': T.tid}, 'cert_checked', 'expired')
                self.resolve(f, {'terminal_id': T.tid}, '终端证书过期，已远程更新 / certificates renewed', p=0.7)
                return f
        if k in ('batch', 'ca'):
            combos = defaultdict(list)
            for T in W.terms:
                combos[(T.host, T.vendor, T.fw0)].append(T)
            c = [(kk, v) for kk, v in sorted(combos.items()) if len(v) >= 3 and
                 kk[2] != VENDORS[kk[1]]['fws'][0][0]]
            if c:
                (h, v, fw), terms = r.choice(c)
                start, end = self.window(30, 300)
                f = self.new('security.certificate', {'host': h, 'vendor': v, 'firmware': fw},
                             start, end, 'sudden', 1.0, True,
                             '主机%s更换服务器证书（新CA），%s %s 缺少新根证书' % (h, v, fw))
                W.veff.append(Eff(start, end, f.cause, f.fid,
                                  {'kind': 'ca', 'host': h, 'vendor': v, 'fw': {fw}}))
                f.terms = [T.tid for T in terms]
                return f
        T = self.pick_term(lambda T: T.exp > 3)
        if T is None:
            return None
        start, end = self.window(30, 300)
        f = self.new('security.certificate', {'terminal_id': T.tid}, start, end, 'sudden', 1.0, False,
                     'RTC电池失效，重启后时钟回到2000年，证书校验失败')
        W.add_off(T, start - r.uniform(40, 120), start, 'power_loss' if T.power == 'mains' else 'user', None, None, 0.0)
        T.eff['clock'].append(Eff(start, end, f.cause, f.fid, {'skew': -(start - 946684800.0)}))
        self.single(T, f)
        self.check(f, start + (end - start) * 0.7, {'terminal_id': T.tid}, 'clock_synced', 'ok')
        self.resolve(f, {'terminal_id': T.tid}, '终端时钟错误导致证书无效，已校时 / clock fixed', p=0.7)
        return f

    # =============================================== resource faults
    def f_resource_storage(self):
        W, r = self.W, self.r
        T = self.pick_term(lambda T: T.exp > 4)
        if T is None:
            return None
        start = r.uniform(W.W0 - 1 * HOUR, W.W0 + 2 * HOUR)
        fill = r.uniform(1.5, 3.5) * HOUR
        end = min(W.W1, start + fill + r.uniform(20, 150) * MIN)
        f = self.new('resource.storage', {'terminal_id': T.tid}, start + fill * 0.75, end, 'ramp',
                     1.0, False, '交易流水/日志未清理，存储空间写满')
        T.eff['storage'].append(Eff(start, end, f.cause, f.fid, {'to': r.uniform(98.5, 100.5)}, 'ramp', fill))
        self.single(T, f)
        if end < W.W1:
            self.check(f, end - 60, {'terminal_id': T.tid}, 'settlement_done', 'ok')
            self.resolve(f, {'terminal_id': T.tid}, '结算并清理流水后恢复 / settled and journal cleared', p=0.6)
        return f

    def f_resource_memory(self):
        W, r = self.W, self.r
        T = self.pick_term(lambda T: T.exp > 4)
        if T is None:
            return None
        onset = r.choice(['ramp', 'sudden'])
        start, end = self.window(40, 300, early=0.3)
        f = self.new('resource.memory', {'terminal_id': T.tid}, start, end, onset, 1.0, False,
                     r.choice(['第三方应用常驻占用内存', '广告应用后台驻留', '日志服务占用内存']))
        T.eff['memory'].append(self.mk_eff(f, {'to': r.uniform(93, 99)}, ramp=r.uniform(600, 2400)))
        self.single(T, f)
        self.check(f, start + (end - start) * 0.7, {'terminal_id': T.tid}, 'memory_used', '%d%%' % r.randint(93, 99))
        self.resolve(f, {'terminal_id': T.tid}, '卸载后台应用释放内存 / background app removed', p=0.6)
        return f

    def f_resource_cpu(self):
        W, r = self.W, self.r
        T = self.pick_term(lambda T: T.exp > 4 and T.vendor in ('sunmi', 'newland', 'verifone', 'pax'))
        if T is None:
            return None
        onset = self.onset((('intermittent', 0.4), ('sudden', 0.4), ('ramp', 0.2)))
        start, end = self.window(30, 240)
        f = self.new('resource.cpu', {'terminal_id': T.tid}, start, end, onset, 1.0, False,
                     r.choice(['后台同步进程死循环', '日志压缩任务占满CPU', '病毒扫描任务']))
        T.eff['cpu'].append(self.mk_eff(f, {'to': r.uniform(94, 100)}, floor=0.4,
                                        bursts_kw={'on': (300, 1500), 'off': (120, 600)}))
        self.single(T, f)
        self.check(f, start + (end - start) * 0.7, {'terminal_id': T.tid}, 'cpu_load', '%d%%' % r.randint(92, 100))
        self.resolve(f, {'terminal_id': T.tid}, '结束异常进程后恢复 / runaway process killed', p=0.6)
        return f

    # ================================================ operator / business
    def f_operator_error(self):
        W, r = self.W, self.r
        if r.random() < 0.3:
            sites = [s for s in W.sites if len(s.terms) >= 2 and sum(T.exp for T in s.terms) > 15]
            if sites:
                s = r.choice(sites)
                start, end = self.window(60, 240)
                f = self.new('operator.error', {'site_id': s.id}, start, end, 'sudden', 0.6, True,
                             '新入职收银员上岗，未经培训')
                for T in s.terms:
                    T.eff['operator'].append(Eff(start, end, f.cause, f.fid, {'p': r.uniform(0.12, 0.3)}))
                    f.terms.append(T.tid)
                self.resolve(f, {'site_id': s.id}, '收银员操作不规范，已培训 / cashiers retrained', p=0.5)
                return f
        T = self.pick_term(lambda T: T.exp > 6)
        if T is None:
            return None
        start, end = self.window(60, 300)
        f = self.new('operator.error', {'terminal_id': T.tid}, start, end, 'sudden', 0.6, False,
                     '新收银员操作不熟练（插卡方向、撤销/退货流程、主管密码）')
        T.eff['operator'].append(Eff(start, end, f.cause, f.fid, {'p': r.uniform(0.25, 0.5)}))
        self.single(T, f)
        self.resolve(f, {'terminal_id': T.tid}, '操作失误，已现场培训 / cashier trained', p=0.5)
        return f

    def pick_merchant(self, pred=lambda m: True):
        W, r = self.W, self.r
        ms = [m for m in W.merchants if not getattr(m, 'biz_used', False) and pred(m) and
              sum(T.exp for T in m.terms) > 8]
        if not ms:
            return None
        m = wchoice(r, [(m, len(m.terms)) for m in ms])
        m.biz_used = True
        self.focus = list(m.terms)
        return m

    def biz_fault(self, cause, m, mag, desc, dmin, dmax, onset='sudden'):
        W, r = self.W, self.r
        start, end = self.window(dmin, dmax)
        f = self.new(cause, {'merchant_id': m.id}, start, end, onset, 1.0, True, desc)
        mag = dict(mag)
        W.meff[m.id].append(self.mk_eff(f, mag, onset=onset))
        f.terms = [T.tid for T in m.terms]
        s = r.choice(m.sites)
        self.resolve(f, {'site_id': s.id}, desc + ' / resolved with the acquirer', p=0.5)
        return f

    def f_business_txn_type(self):
        W, r = self.W, self.r
        m = self.pick_merchant(lambda m: m.seg in ('petrol', 'hospital', 'chain', 'restaurant'))
        if m is None:
            return None
        if m.seg == 'petrol':
            return self.biz_fault('business.txn_type', m, {'type': 'txntype', 'types': ('preauth', 'completion')},
                                  '商户预授权交易权限被关闭', 40, 300)
        if m.seg == 'hospital':
            return self.biz_fault('business.txn_type', m, {'type': 'txntype', 'types': ('refund',)},
                                  '商户退货交易权限被关闭', 60, 330)
        return self.biz_fault('business.txn_type', m, {'type': 'txntype', 'credit': True},
                              'MCC调整后商户不允许受理信用卡', 40, 300)

    def f_business_limit(self):
        W, r = self.W, self.r
        m = self.pick_merchant(lambda m: m.seg in ('petrol', 'hospital', 'chain', 'restaurant'))
        if m is None:
            return None
        S = SEGMENTS[m.seg]
        if r.random() < 0.65:
            lim = int(S['amt'] * math.exp(S['sig'] * r.uniform(-0.2, 0.6)) // 1000 * 1000 + 1000)
            return self.biz_fault('business.limit', m, {'type': 'limit', 'max': lim},
                                  '商户单笔限额下调至%d元' % (lim // 100), 40, 330)
        f = self.biz_fault('business.limit', m, {'type': 'limit', 'count': 0},
                           '单终端日交易笔数上限', 40, 200)
        est = sorted(W.day_count(T, f.start) for T in m.terms)
        n = est[len(est) // 2] + r.randint(2, 8)
        W.meff[m.id][-1].mag['count'] = n
        f.desc = '单终端日交易笔数上限调整为%d笔' % n
        return f

    def f_business_risk(self):
        W, r = self.W, self.r
        m = self.pick_merchant()
        if m is None:
            return None
        S = SEGMENTS[m.seg]
        mag = {'type': 'risk', 'p': r.uniform(0.35, 0.9), 'rc': r.choice(['59', '59', '34'])}
        if r.random() < 0.5:
            mag['min_amt'] = int(S['amt'] * r.uniform(0.6, 1.5))
        if r.random() < 0.3:
            mag['chans'] = ('card_swipe', 'nfc', 'card_ic')
        return self.biz_fault('business.risk', m, mag, '风控规则命中（疑似套现/交易异常），交易被拦截',
                              20, 240, onset=r.choice(['sudden', 'intermittent']))

    def f_business_merchant(self):
        W, r = self.W, self.r
        m = self.pick_merchant()
        if m is None:
            return None
        desc = r.choice(['商户被冻结（资料待补充）', '商户信息变更后登记不一致', '商户被收单机构暂停受理'])
        return self.biz_fault('business.merchant', m, {'type': 'frozen'}, desc, 20, 160)

    # ================================================== issuer / cards
    def f_upstream_issuer(self):
        W, r = self.W, self.r
        used = getattr(self, 'iss_used', set())
        iss = [i for i in ISSUERS if i not in used]
        if not iss:
            return None
        i = wchoice(r, [(x, w) for x, w in ISSUER_W if x in iss])
        used.add(i)
        self.iss_used = used
        onset = self.onset((('sudden', 0.5), ('intermittent', 0.35), ('ramp', 0.15)))
        start, end = self.window(10, 120)
        sev = round(r.uniform(0.5, 1.0), 2)
        f = self.new('upstream.issuer', {'issuer': i, 'bins': [b for b, _ in ISSUERS[i]]}, start, end,
                     onset, sev, True, '%s核心系统故障，发卡方无应答' % ISSUER_ZH[i])
        W.ieff[i].append(self.mk_eff(f, {'p': sev}, floor=0.1))
        f.from_events = True
        return f

    def f_card_decline(self):
        W, r = self.W, self.r
        used = getattr(self, 'bin_used', set())
        bins = [(i, b) for i in ISSUERS for b, c in ISSUERS[i] if b not in used]
        if not bins:
            return None
        i, b = r.choice(bins)
        used.add(b)
        self.bin_used = used
        k = r.choice(['expired', 'funds', 'cancelled'])
        rcs, desc = {'expired': (('54',), '%s卡批次到期换卡，旧卡拒绝' % b),
                     'funds': (('51',), '%s预付/工资卡未入账，余额不足' % b),
                     'cancelled': (('05', '14'), '%s卡批次被发卡行注销' % b)}[k]
        start, end = self.window(40, 330)
        f = self.new('card.decline', {'bin': b, 'issuer': i}, start, end, 'sudden', 1.0, True, desc)
        W.beff[b].append(Eff(start, end, f.cause, f.fid, {'p': r.uniform(0.6, 0.95), 'rcs': rcs}))
        f.from_events = True
        return f


# ================================================================ output
def inventory(W, sim):
    t = W.W0 - 2 * HOUR
    r = random.Random('%d/inv' % W.seed)
    for m in W.merchants:
        rec = {'kind': 'merchant', 'ts': iso(t), 'merchant_id': m.id, 'name': m.name, 'mcc': m.mcc,
               'city': m.city, 'settlement': m.settlement, 'card_rate': m.card_rate,
               'qr_rate': m.qr_rate}
        if m.fixed_fee is not None:
            rec['fixed_fee'] = m.fixed_fee
        sim.emit(t, rec)
    for s in W.sites:
        sim.emit(t, {'kind': 'site', 'ts': iso(t), 'site_id': s.id, 'merchant_id': s.merchant.id,
                     'name': s.name, 'city': s.city, 'lat': s.lat, 'lon': s.lon})
    for T in W.terms:
        rec = {'kind': 'terminal', 'ts': iso(t), 'terminal_id': T.tid, 'serial': T.serial,
               'vendor': T.vendor, 'model': T.model, 'firmware': W.fw_at(T, t),
               'app_version': W.app_at(T, t), 'merchant_id': T.merchant.id, 'site_id': T.site.id,
               'network': T.net}
        if T.carrier:
            rec['carrier'] = T.carrier
        rec['host'] = T.host
        if T.V['cert']:
            rec['cert_not_after'] = iso(T.cert_not_after)
        rec['installed'] = datetime.fromtimestamp(T.installed, TZ).date().isoformat()
        if r.random() < 0.03:
            rec.pop(r.choice(['serial', 'app_version', 'installed', 'network']), None)
        sim.emit(t, rec)


def routine_people(W, sim):
    r = random.Random('%d/people' % W.seed)
    notes = ['电源、键盘、屏幕正常', '日检正常', 'power cable ok, keypad ok, display ok',
             '检查电源连接及显示屏，无异常', '打印纸充足']
    for T in W.terms:
        x = r.random()
        if x < 0.28:
            t = W.W0 + r.uniform(0, 50 * MIN)
            sim.emit(t, {'kind': 'maintenance', 'ts': iso(t), 'terminal_id': T.tid,
                         'action': 'daily_check', 'notes': r.choice(notes)})
        elif x < 0.31:
            t = W.W0 + r.uniform(0, 5 * HOUR)
            sim.emit(t, {'kind': 'maintenance', 'ts': iso(t), 'terminal_id': T.tid,
                         'action': 'weekly_clean', 'notes': '清洁读卡槽及键盘'})
        elif x < 0.325:
            t = W.W0 + r.uniform(0, 5 * HOUR)
            sim.emit(t, {'kind': 'maintenance', 'ts': iso(t), 'terminal_id': T.tid,
                         'action': 'monthly_inspection', 'notes': '内部检查：主板、电池、接口正常'})
    for t, rec in W.people:
        sim.emit(t, rec)
    for f in W.faults:
        for t, rec in f.people:
            sim.emit(t, rec)
    # complaints from merchants when failures pile up, and from customers
    byM = defaultdict(list)
    for ev in sim.fails:
        byM[ev[1].merchant.id].append(ev)
    cid = 1000 + W.seed * 100
    for mid, evs in sorted(byM.items()):
        evs.sort(key=lambda x: x[0])
        last = -1e18
        for i, ev in enumerate(evs):
            j = i
            while j >= 0 and evs[j][0] > ev[0] - 30 * MIN:
                j -= 1
            cnt = i - j
            if cnt >= 6 and ev[0] - last > 100 * MIN and r.random() < 0.35:
                last = ev[0]
                t = ev[0] + r.uniform(5, 25) * MIN
                if t >= W.W1:
                    continue
                codes = defaultdict(int)
                for k in range(j + 1, i + 1):
                    codes[evs[k][2]] += 1
                code = max(sorted(codes), key=lambda c: codes[c])
                T = ev[1]
                tmpl = r.choice(['刷卡一直显示%s，顾客只能扫码', '机器老是提示%s，交易失败，请尽快处理',
                                 '收银台POS报%s，排队的人很多', 'POS shows %s again and again, customers cannot pay',
                                 '交易总是失败（%s），影响营业'])
                cid += 1
                rec = {'kind': 'complaint', 'ts': iso(t), 'complaint_id': 'C-%d' % cid,
                       'from': 'merchant', 'merchant_id': mid}
                if r.random() < 0.7:
                    rec['terminal_id'] = T.tid
                rec['text'] = tmpl % ('超时' if code == 'timeout' else code)
                sim.emit(t, rec)
    for ev in sim.fails:
        t, T, code, cause, fid, rk = ev
        if rk == 'txn' and code == 'timeout' and r.random() < 0.012:
            tc = t + r.uniform(20, 90) * MIN
            if tc < W.W1:
                cid += 1
                sim.emit(tc, {'kind': 'complaint', 'ts': iso(tc), 'complaint_id': 'C-%d' % cid,
                              'from': 'customer', 'merchant_id': T.merchant.id,
                              'text': r.choice(['刷卡显示失败但银行卡被扣款了', '交易超时，钱扣了商家说没收到',
                                                'card was charged but the terminal said failed'])})
    for T in W.terms:
        lastc = -1e18
        for td in T.dup:
            if td - lastc > 2 * HOUR and r.random() < 0.12:
                lastc = td
                tc = td + r.uniform(15, 80) * MIN
                if tc < W.W1:
                    cid += 1
                    sim.emit(tc, {'kind': 'complaint', 'ts': iso(tc), 'complaint_id': 'C-%d' % cid,
                                  'from': 'customer', 'merchant_id': T.merchant.id,
                                  'terminal_id': T.tid,
                                  'text': '扫码付款被扣了两次钱 / charged twice for one QR payment'})


def write(W, sim, out):
    os.makedirs(out, exist_ok=True)
    r = random.Random('%d/late' % W.seed)
    late_p = r.uniform(0.02, 0.05)
    rows = []
    inv_kinds = ('merchant', 'site', 'terminal')
    for t, seq, rec in sim.out:
        d = 0.0
        if rec['kind'] not in inv_kinds and r.random() < late_p:
            d = r.uniform(2, 58)
        rows.append((t + d, seq, rec))
    rows.sort(key=lambda x: (x[0], x[1]))
    with open(os.path.join(out, 'records.jsonl'), 'w', encoding='utf-8') as fh:
        for _, _, rec in rows:
            fh.write(json.dumps(rec, ensure_ascii=False, separators=(',', ':')) + '\n')
    truth = []
    for f in W.faults:
        rec = {'kind': 'truth', 'fault_id': f.fid, 'cause': f.cause, 'scope': f.scope,
               'terminals': sorted(set(f.terms)), 'start': iso(f.start), 'end': iso(f.end),
               'onset': f.onset, 'severity': f.severity, 'shared': f.shared,
               'description': f.desc}
        truth.append((f.start, 0, rec))
    for t, seq, rec in sim.tev:
        truth.append((t, seq, rec))
    truth.sort(key=lambda x: (x[0], x[1]))
    with open(os.path.join(out, 'truth.jsonl'), 'w', encoding='utf-8') as fh:
        for _, _, rec in truth:
            fh.write(json.dumps(rec, ensure_ascii=False, separators=(',', ':')) + '\n')
    return len(rows), len(truth)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', type=int, required=True)
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    W = World(a.seed)
    inj = Injector(W)
    inj.run()
    for T in W.terms:
        if T.power == 'battery':
            W.battery_profile(T)
        W.finalize_off(T)
    sim = Sim(W)
    inventory(W, sim)
    sim.run()
    routine_people(W, sim)
    nrec, ntruth = write(W, sim, a.out)
    nfail = len(sim.tev)
    print('seed %d: terminals=%d records=%d faults=%d truth_events=%d' % (
        a.seed, len(W.terms), nrec, len(W.faults), nfail))


if __name__ == '__main__':
    main()
