"""Chinese phrase tables of the demo generator: the keys, topics, polarities and slots of phrases.py, written the way
shoppers write on Taobao / JD / Meituan and in customer-service chats, plus the shop's Chinese display names."""
from __future__ import annotations

from collections.abc import Mapping

# ----------------------------------------------------------------------------------------------
# Phrase bank. Clauses carry no final punctuation (the composer adds 。 and joins contrasts with ，但是 …) and may
# hold slots ({product}, {days}, ...). Only CUES and CLAIM_CUES hold expectation cues, each with a phrase of
# analytics.insights.cues.CUE_OUTCOMES that says met or missed as planted (本以为, 说好的, 超出预期, 物超所值 …);
# no other phrase holds any cue of its DEFAULT_CUES, so not even 应该, 以为, 期待 or 描述.
# Speaker labels are those of a Chinese support system's export (顾客： / 客服： in chats, 客户： on calls, 备注： before
# a note, full-width colon, no space): the app's sentence splitter drops agent turns and notes by those labels.
# ----------------------------------------------------------------------------------------------
CLAUSES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "delivery": {
        "neg": (
            "包裹晚了{days}天才到", "这次的物流简直是灾难", "快递员把箱子丢在门外淋雨", "快递到现在都还没到",
            "箱子送到时已经压扁了，还开了口子", "物流一直显示派送中，已经{days}天了", "快递员连门都没敲",
            "在家等了一整天也没人来送货", "发货慢得要命", "包裹被送到别人的地址去了", "箱子里少了一半的东西",
            "约好的配送时间被取消了两次", "快递员没送到就直接点了签收", "{courier}把我的包裹弄丢了",
        ),
        "pos": (
            "物流很快", "提前一天就到了", "快递小哥很热情，搬东西也很小心", "发货快，物流信息也很准",
            "包装很严实", "第二天一早就送到了", "从下单到收货都很顺利", "{courier}准时送到",
            "收到时完好无损", "物流更新及时又准确", "物流一点都不慢",
        ),
        "neu": (
            "物流大概走了{days}天", "在正常时效内送到的", "{weekday}到的货", "物流还行，没什么特别的",
            "快递放到了驿站",
        ),
    },
    "price": {
        "neg": (
            "这个价格完全不值", "比我上次买的时候涨了{pct}%", "花这个钱真不值", "运费比东西本身还贵",
            "优惠券结账时用不了", "别家便宜多了", "结账时多出了莫名其妙的费用", "这种质量卖这么贵，太离谱了",
            "同一个订单扣了我两次钱", "所谓的活动价就是原价", "花这么多钱买这个，简直是个笑话",
        ),
        "pos": (
            "性价比超高", "价格很公道", "比我看过的其他店都便宜", "用了优惠券，真是捡了个大便宜",
            "说实话这个价钱一点也不亏", "东西买得很值", "还包邮，挺贴心的", "会员积分真的能抵不少钱",
            "这个价格找不到更便宜的了", "每一分钱都花得值",
        ),
        "neu": ("价格中等吧", "价格跟别的店差不多", "价格也就那样吧", "等到打折才买的"),
    },
    "quality": {
        "neg": (
            "用了{weeks}周就坏了", "做工很差", "摸着很廉价，又薄又软", "表面的漆没多久就开始掉",
            "拆开竟然有个零件是裂的", "用了没几次就不工作了", "线缝都开了", "远没有看上去那么结实",
            "有股化学味，怎么散都散不掉", "质量真是越来越差了", "一半时间都用不了",
        ),
        "pos": (
            "质量非常好", "拿在手里很扎实，做工精细", "用了{weeks}周还是很好用", "用料很足", "做得非常结实",
            "细节处理得很到位", "用到现在一直很耐用", "质量一点也不差，其实相当好", "结实耐用，做工也漂亮",
            "挑不出一点瑕疵",
        ),
        "neu": ("质量一般般", "能用", "做工中规中矩，没什么亮点", "跟别家的差不多"),
    },
    "support": {
        "neg": (
            "发了好几封邮件，客服一封都没回", "电话等了{minutes}分钟都没人接", "客服直接把我电话挂了",
            "客服翻来覆去就是那几句复制粘贴的话", "好像没有一个人知道是怎么回事", "我已经联系客服{n}次了",
            "智能客服一直在兜圈子", "客服态度恶劣，一点忙都帮不上", "工单没解决就被关掉了",
            "被转来转去，哪个部门都不管", "出了问题没人负责",
        ),
        "pos": (
            "客服几分钟就帮我搞定了", "在线客服{agent}特别热心", "客服很有耐心，态度也好", "售后服务做得特别到位",
            "发邮件一个小时内就回复了", "客服全程跟进，随时告诉我进度", "客服没让我来回折腾",
            "{agent}一个电话就帮我解决了", "客服热情又专业", "回电非常准时",
        ),
        "neu": ("客服过了一天左右才回复", "客服给了我一个工单号", "打电话跟客服说了这件事", "客服说会帮我查一下"),
    },
    "returns": {
        "neg": (
            "退货流程太折腾了", "退款到现在还没收到", "无缘无故拒绝我退货", "退货运费还得我自己出",
            "退的钱比我付的少", "退货单一直没发给我", "都{weeks}周了退款还没到账", "商家说没收到我寄回去的货",
            "退货页面一直报错", "为了退个款累得半死",
        ),
        "pos": (
            "退货很省心", "退款{days}天就到账了", "换尺码很方便", "售后处理退换货很爽快", "马上给我补发了一个新的",
            "上门取件，退货很简单", "七天无理由退款，一点都不磨叽", "钱很快就退回来了",
        ),
        "neu": ("寄回去换了个尺码", "退款还在处理中", "订单里退了一件", "退货要在网上申请"),
    },
    "app": {
        "neg": (
            "APP一到付款就闪退", "网页卡得要命", "账号登录不上", "物流页面一直不更新", "购物车自己清空了两次",
            "站内搜索根本搜不到东西", "APP更新之后什么都用不了", "在APP上付款失败了三次", "下单下到一半被踢下线了",
        ),
        "pos": (
            "APP很流畅，操作简单", "在网页上两分钟就下好单了", "APP里的实时物流很好用", "新的结算页面顺畅多了",
            "网站上找东西很方便", "保存了支付方式，回购很方便", "APP推送的消息还挺有用的",
        ),
        "neu": ("在APP上下的单", "用网页下的单", "APP基本功能还行", "在网站上查了一下订单状态"),
    },
}
PRODUCT_CLAUSES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "Kitchen": {
        "pos": ("{product}受热均匀，还很好清洗", "用{product}做饭是种享受", "{product}放在台面上很好看",
                "{product}帮我省了好多时间", "{product}用起来像饭店后厨的专业货"),
        "neg": ("{product}烧东西总是一边糊", "{product}的涂层已经刮花了", "{product}声音太大了",
                "{product}特别难清洗", "{product}的把手烫得没法拿"),
    },
    "Coffee": {
        "pos": ("{product}做出来的咖啡香浓醇厚", "有了{product}，每天早上都很幸福", "{product}很容易调出好味道",
                "{product}萃出来的油脂很漂亮", "每天早上来一杯，{product}真是享受"),
        "neg": ("{product}出来的咖啡有股焦糊味", "{product}漏得台面上到处都是", "{product}每杯出来的味道都不一样",
                "{product}老是堵", "{product}预热要等半天"),
    },
    "Home": {
        "pos": ("{product}让房间变得特别温馨", "{product}又软又舒服", "{product}几乎没有声音",
                "{product}实物比图片还好看", "{product}尺寸刚刚好"),
        "neg": ("{product}比我以前那个还吵", "{product}不到一个月就塌了", "{product}的颜色跟照片差太多了",
                "{product}晚上一直咯吱响", "{product}有股霉味"),
    },
    "Garden": {
        "pos": ("{product}放在外面过了一个冬天都没事", "{product}安装很简单", "有了{product}，打理花园轻松多了",
                "{product}很结实，风吹雨打都不怕", "用了{product}，我的花草长得特别好"),
        "neg": ("{product}才用一季就生锈了", "{product}第一次降温就冻裂了", "{product}每个接口都漏水",
                "{product}一刮风就散架了", "{product}的说明书根本看不懂"),
    },
    "Electronics": {
        "pos": ("{product}的续航能撑好几天", "{product}秒连", "{product}的音质清晰通透", "{product}反应很快，一点都不卡",
                "{product}两分钟就设置好了"),
        "neg": ("{product}老是断连", "{product}的电撑不到中午", "{product}发烫得厉害", "{product}天天都要升级固件",
                "{product}怎么都连不上我的手机"),
    },
    "Outdoor": {
        "pos": ("下大雨{product}也一点没漏", "{product}很轻，背一整天都不累", "{product}收起来很小",
                "{product}露营一周完全没问题", "{product}皮实耐造"),
        "neg": ("{product}第一晚就漏水了", "{product}比看起来重多了", "{product}第一天就开线了", "{product}的拉链卡住了",
                "{product}不到一个小时就漏气了"),
    },
}
PRODUCT_NEUTRAL: tuple[str, ...] = (
    "{product}还行吧", "{product}没什么大毛病", "{product}我一周用个两三次", "{product}跟我以前那个差不多",
    "{product}就是很普通的{category_lower}",
)
# Sarcasm reads as praise word by word (太棒了, 真厉害, 真值) and means the opposite: 呵呵, 真是…啊, 佩服佩服.
SARCASM: Mapping[str, tuple[str, ...]] = {
    "delivery": ("呵呵，又等了一个星期，真是太棒了。", "哇，这次才晚了{days}天，真厉害。",
                 "花钱买了加急，结果下个月才到，真是谢谢了。", "太好了，快递员直接把箱子放水坑里，正是我想要的。"),
    "price": ("行啊，收我双倍价钱，有何不可呢。", "真划算，也就比别家贵一倍而已。", "神奇的是用了优惠反而更贵了，佩服佩服。"),
    "quality": ("整整用了一个星期，真是经久耐用啊。", "做工真精湛，拿在手里直接散架了。", "五星送给我见过坏得最快的东西。"),
    "support": ("谢谢客服复制粘贴的回复，真是帮了大忙呢。", "太好了，又听了一个小时的等待音乐。", "被直接挂电话，真是一流的服务。"),
    "returns": ("退个货比买东西还难，真是长见识了。", "退款还在路上，估计明年就能到账了吧。"),
    "app": ("太棒了，APP又在付款的时候闪退了。", "网页每两分钟就把我踢下线一次，真是够先进的。"),
    "product": ("太完美了，{product}第二天就坏了，钱花得真值。", "每天早上都要给{product}收拾残局，真是享受。"),
}
CUES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "delivery": {
        "missed": ("说好的{weekday}送到，结果晚了{days}天。", "本以为{days}天内能到，结果等了{days2}天。",
                   "说好的次日达，根本没做到。", "原以为上周{weekday}就能到的。",
                   "物流时效远低于预期，显示{weekday}送达，结果没到。"),
        "met": ("没想到这么快就到了，超出预期。", "跟宣传的一样，说几号到就几号到。"),
    },
    "price": {
        "missed": ("这个价钱，本以为质量会好很多。", "页面写着立减{pct}%，结账时没减，和宣传的不一样。",
                   "早知道先货比三家了，性价比低于预期。"),
        "met": ("这个价钱能买到这样的，物超所值。", "价格跟宣传的一样，没有任何套路。"),
    },
    "quality": {
        "missed": ("原以为至少能用好几个月，结果几周就不行了。", "实物和图片不一样，差太多了。", "做工远远达不到预期。",
                   "宣传的高端质感完全名不副实。"),
        "met": ("质量比想象中还要好，超出预期。", "做工跟宣传的一样扎实，名副其实。"),
    },
    "support": {
        "missed": ("说好的24小时内回电，结果根本没人打来。", "本以为能得到个正经答复，结果全是套话。",
                   "客服的处理远不如预期，早就该升级了。"),
        "met": ("客服解决得比我想的还快，超出预期。", "说几点回电就几点回电，符合预期。"),
    },
    "returns": {
        "missed": ("说好的{days}天退款，现在都{weeks}周了。", "说好的预付退货面单，到现在都没收到。",
                   "本以为退货免运费，和宣传的不一样。"),
        "met": ("退款比我想的还快到账，超出预期。", "退货流程跟宣传的一样简单。"),
    },
    "app": {
        "missed": ("本以为APP会保存购物车，结果全没了。", "原以为物流页面会实时更新，结果一直不动。"),
        "met": ("新版APP比想象中好用，超出预期。",),
    },
    "product": {
        "missed": ("{product}货不对板，完全不是我想要的。", "本以为{product}会结实得多。"),
        "met": ("{product}完全符合预期，很满意。", "{product}宣传的功能全都有，名副其实。"),
    },
}
# The claims a listing made (宣传 …) and how they fell short: the underperforming products' missed cues.
CLAIM_CUES: tuple[str, ...] = (
    "宣传说是{claim}，实际根本不是，名不副实。",
    "本以为是{claim}，毕竟宣传页上就是这么写的。",
    "号称{claim}，结果和宣传的不一样。",
    "宣传的是{claim}，这质量完全不符合预期。",
    "宣传页说好的{claim}，到手完全相反。",
)
CLAIMS: Mapping[str, tuple[str, ...]] = {
    "Kitchen": ("可进洗碗机", "超静音", "专业级"),
    "Coffee": ("咖啡馆级出品", "商用级", "滴水不漏"),
    "Home": ("酒店同款", "防螨抗过敏", "超强支撑"),
    "Garden": ("永不生锈", "耐候防晒", "免工具安装"),
    "Electronics": ("超长续航", "音质清澈", "秒速配对"),
    "Outdoor": ("完全防水", "超轻量", "防刺穿"),
}

ONE_LINERS: Mapping[str, tuple[str, ...]] = {
    "pos": ("超爱！", "完美。", "太棒了，谢谢！", "正合我意。", "非常好。", "很满意！", "满分！", "好评！"),
    "neg": ("太差了。", "纯属浪费钱。", "再也不买了。", "非常失望。", "垃圾。", "千万别买。", "体验极差。"),
    "neu": ("还行。", "凑合吧。", "一般。", "没什么好说的。", "马马虎虎。", "不好不坏。"),
}
REVIEW_OPENERS: tuple[str, ...] = (
    "{when}买的{product}。", "买{product}是送人的。", "用了{weeks}周来追评：", "第二次在这家店买了。",
    "买来替换家里的旧的。", "这款是我对象挑的。",
)
WHEN: tuple[str, ...] = ("上周", "一个月前", "双十一", "生日那天", "两周前")
REVIEW_CLOSERS: Mapping[str, tuple[str, ...]] = {
    "pos": ("强烈推荐。", "还会回购。", "五星好评！", "已经又下单了一个。", "挑不出毛病。", "谢谢商家！"),
    "neg": ("避雷。", "以后不会再来了。", "真的很失望。", "别浪费钱了。", "一点都不满意。", "给一星都嫌多。"),
    "neu": ("可能会回购吧。", "再用用看吧。", "三星吧。", "目前还凑合。"),
}
EMAIL_GREETINGS: tuple[str, ...] = ("您好，", "客服你好，", "尊敬的客服：", "早上好，", "相关负责人您好：", "你好，")
EMAIL_CONTEXT: tuple[str, ...] = (
    "我想说一下订单{order_id}的情况。", "关于我最近的订单，单号{order_id}。", "我{weekday}下了订单{order_id}。",
    "跟进一下我的订单{order_id}（{product}）。",
)
EMAIL_BACKGROUND: tuple[str, ...] = (
    "我在你们店买了{years}年了。", "这是我第一次写邮件反映问题。", "这是买给我妈妈的礼物。", "我们家每天都在用。",
    "看到你们的推送后在官网下的单。",
)
EMAIL_REQUESTS: Mapping[str, tuple[str, ...]] = {
    "neg": ("请告诉我你们打算怎么解决。", "我要求尽快全额退款。", "麻烦尽快给我回个电话。", "希望48小时内能得到答复。",
            "如果还不解决，我就注销账户了。"),
    "pos": ("就是想跟你们说声谢谢。", "请替我谢谢你们的团队。", "继续保持！"),
    "neu": ("麻烦确认一下现在的状态。", "请告诉我下一步怎么做。", "如果还需要我提供什么，请告诉我。"),
}
EMAIL_SIGNOFFS: tuple[str, ...] = ("此致，{first}", "祝好，{first}", "谢谢，{first}", "{first}敬上", "辛苦了，{first}",
                                    "顺颂商祺，{first}")
CHAT_OPENERS: tuple[str, ...] = ("在吗", "你好", "亲，在吗", "你好，问一下", "有人吗？", "你好，订单出了点问题",
                                  "你好，我的订单号是{order_id}")
CHAT_AGENT: Mapping[str, tuple[str, ...]] = {
    "greet": ("亲，感谢您的咨询，请问有什么能帮您？", "亲，麻烦提供一下订单号哦。", "好的，我帮您查一下。"),
    "neg": ("非常抱歉给您带来不便，我马上帮您处理。", "理解您的心情。", "给您添麻烦了，我这就帮您反馈。"),
    "pos": ("听到您这么说太开心啦！", "能帮到您真好。", "谢谢亲的认可！"),
    "neu": ("已经帮您在订单上备注了。", "请问还有其他能帮您的吗？"),
}
CHAT_CLOSERS: Mapping[str, tuple[str, ...]] = {
    "neg": ("太离谱了", "赶紧处理吧", "算了", "我要找你们主管", "简直无语"),
    "pos": ("好的，谢谢！", "太好了，非常感谢", "你帮了大忙了"),
    "neu": ("好的谢谢", "行吧", "好吧，那我再等等", "好的，拜拜"),
}
PHONE_STARTS: tuple[str, ...] = ("喂，你好，", "你好，是这样，", "喂，嗯，", "那个，是这样的，", "喂，")
PHONE_FILLERS: tuple[str, ...] = ("嗯", "呃", "那个", "就是", "反正", "怎么说呢", "说实话", "你知道吧")
PHONE_AGENT: tuple[str, ...] = ("嗯嗯。", "好的，明白。", "嗯，是的。", "我帮您查一下。")
PHONE_CLOSERS: Mapping[str, tuple[str, ...]] = {
    "neg": ("我真的受够了", "这是我最后一次打电话了", "我就想赶紧解决"),
    "pos": ("谢谢，你们太好了", "好的，辛苦了", "太好了，谢谢"),
    "neu": ("好的，没问题", "嗯，好的", "行，那我再等等"),
}
SPEAKERS: Mapping[str, str] = {"customer": "顾客：", "caller": "客户：", "agent": "客服："}
PHONE_NOTES: Mapping[str, tuple[str, ...]] = {
    "neg": ("备注：已升级给组长处理。", "备注：客户情绪激动，要求退款。", "备注：已建工单，24小时内回电。"),
    "pos": ("备注：已记录表扬。", "备注：无需跟进。"),
    "neu": ("备注：已告知客户后续步骤。", "备注：已确认订单状态。"),
}
SURVEY_FRAGMENTS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "delivery": {"neg": ("物流快点吧", "换家靠谱的快递"), "pos": ("物流快",), "neu": ("物流还可以",)},
    "price": {"neg": ("价格再低点", "运费便宜点"), "pos": ("价格实惠",), "neu": ("价格还可以",)},
    "quality": {"neg": ("把好质量关",), "pos": ("质量好",), "neu": ("质量一般",)},
    "support": {"neg": ("电话倒是接一下啊", "客服能不能靠谱点"), "pos": ("客服小姐姐人很好",), "neu": ("客服还可以",)},
    "returns": {"neg": ("退货能简单点",), "pos": ("退货方便",), "neu": ("退货还可以",)},
    "app": {"neg": ("把APP修一修",), "pos": ("APP好用",), "neu": ("APP还可以",)},
    "product": {"neg": ("上点好货",), "pos": ("商品种类很全",), "neu": ("品类还可以",)},
}
CONNECTORS: tuple[str, ...] = ("，但是", "，不过", "，可是", "，只是", "，但")
# The slot tables keep the English lengths, so the generator's draws of them stay the same in both languages.
COURIERS: tuple[str, ...] = ("顺丰", "京东物流", "中通", "圆通", "韵达")
AGENTS: tuple[str, ...] = ("小美", "小雪", "阿杰", "小周", "晓琳", "小王", "阿宁")
WEEKDAYS: tuple[str, ...] = ("周一", "周二", "周三", "周四", "周五", "周六")
FIRST_NAMES: tuple[str, ...] = (
    "王芳", "李伟", "张敏", "刘洋", "陈静", "杨磊", "赵丽", "黄勇", "周婷", "吴军", "徐娜", "孙强", "胡雪", "朱杰",
    "高翔", "林琳", "何斌", "郭佳", "马超", "罗娟", "梁晨", "宋涛", "郑爽", "谢飞", "韩梅", "唐宁",
)

# Typos as Chinese typists make them: the input method offers a homophone and it slips through. Each correct word
# maps to its misspelling; no phrase above holds a misspelling, and no word overlaps a cue.
HOMOPHONE_TYPOS: Mapping[str, str] = {
    "已经": "以经", "以后": "已后", "再也": "在也", "在家": "再家", "安装": "按装", "做工": "作工", "做饭": "作饭",
    "根本": "跟本", "真的": "真得", "问题": "问提", "收货": "收获", "辛苦": "幸苦", "好评": "好平", "垃圾": "拉圾",
    "浪费": "浪废", "失望": "失忘", "登录": "登陆", "一直": "一只", "订单": "定单", "包装": "包妆", "推荐": "推建",
    "非常": "飞常", "态度": "太度", "竟然": "竞然", "结实": "结识", "漂亮": "飘亮", "厉害": "利害", "咨询": "资询",
    "处理": "处里", "回购": "回够", "跟进": "根进", "解决": "解绝", "舒服": "舒福", "清晰": "清析", "热情": "热请",
    "流畅": "流敞", "到账": "到帐", "物流": "物留", "很快": "很块", "送到": "送道", "退货": "退获", "发货": "发获",
    "凑合": "凑和", "千万别买": "千万别卖", "价钱": "价前", "一般": "一班", "搞定": "搞订", "正常": "正长",
    "顺利": "顺历", "温馨": "温心", "功能": "攻能", "声音": "声因", "提前": "提钱", "挑不出": "跳不出",
    "卡住": "卡主", "结算": "节算", "设置": "设制", "找不到": "找不道",
}
# A text without any of those words gets the commonest slips of all instead: 得 / 的, 在 / 再, 做 / 作, 很 / 狠,
# 吗 / 嘛, 吧 / 把 (none of these characters is in a cue, so a slip never hides one).
CHARACTER_TYPOS: Mapping[str, str] = {"得": "的", "在": "再", "再": "在", "做": "作", "很": "狠", "吗": "嘛", "吧": "把"}

# ----------------------------------------------------------------------------------------------
# Display names: the CSV shows these; the generator and its truth keep the English keys.
# ----------------------------------------------------------------------------------------------
PRODUCT_NAMES: Mapping[str, tuple[str, str]] = {  # English name -> (Chinese name, what a text calls it later)
    "Nordic Chef's Knife": ("北欧主厨刀", "主厨刀"),
    "Cascade Cast-Iron Skillet": ("瀑布铸铁煎锅", "铸铁锅"),
    "Zephyr Air Fryer": ("西风空气炸锅", "空气炸锅"),
    "Granite Nonstick Pan Set": ("麦饭石不粘锅套装", "锅具"),
    "Willow Bamboo Cutting Board": ("柳风竹砧板", "砧板"),
    "Tempo Stand Mixer": ("节拍厨师机", "厨师机"),
    "Crisp Vacuum Sealer": ("鲜脆真空封口机", "封口机"),
    "Aurora Espresso Machine": ("极光意式咖啡机", "咖啡机"),
    "Velvet Milk Frother": ("丝绒电动奶泡机", "奶泡机"),
    "Ridge Burr Grinder": ("山脊锥刀磨豆机", "磨豆机"),
    "Harbor Pour-Over Kettle": ("港湾手冲壶", "手冲壶"),
    "Brook Cold Brew Maker": ("溪流冷萃壶", "冷萃壶"),
    "Sunrise Espresso Roast 1kg": ("朝阳意式拼配咖啡豆1kg", "咖啡豆"),
    "Copper Moka Pot": ("紫铜摩卡壶", "摩卡壶"),
    "Lumen Smart Bulb 4-Pack": ("流明智能灯泡4只装", "灯泡"),
    "Haven Linen Duvet Cover": ("栖居亚麻被套", "被套"),
    "Nimbus Memory Foam Pillow": ("云朵记忆棉枕头", "枕头"),
    "Breeze Tower Fan": ("清风塔扇", "塔扇"),
    "Pure Air Purifier": ("纯净空气净化器", "净化器"),
    "Pure Air HEPA Filter": ("纯净HEPA滤网", "滤网"),
    "Hearth Scented Candle Trio": ("炉火香薰蜡烛三件套", "香薰蜡烛"),
    "Evergreen Hose Reel": ("常青水管卷盘", "卷盘"),
    "Thornless Bypass Pruner": ("无刺修枝剪", "修枝剪"),
    "Meadow Raised Garden Bed": ("草甸高架种植箱", "种植箱"),
    "Solar Path Light Set": ("太阳能草坪灯套装", "草坪灯"),
    "Rainmaker Drip Irrigation Kit": ("呼雨滴灌套装", "滴灌套装"),
    "Greenleaf Compost Bin": ("绿叶堆肥桶", "堆肥桶"),
    "Pulse Fitness Tracker": ("脉动运动手环", "手环"),
    "Volt Fast Charger": ("伏特快充头", "快充头"),
    "Orbit Bluetooth Speaker": ("轨道蓝牙音箱", "音箱"),
    "Vista 4K Streaming Stick": ("远景4K电视棒", "电视棒"),
    "Nova Smartwatch": ("新星智能手表", "手表"),
    "Arc Noise-Cancelling Headset": ("弧光降噪耳机", "耳机"),
    "Quill E-Reader": ("羽毛电纸书", "电纸书"),
    "Summit Two-Person Tent": ("峰顶双人帐篷", "帐篷"),
    "Ember Camp Stove": ("余烬露营炉", "露营炉"),
    "Trailhead Hydration Pack": ("步道水袋背包", "水袋包"),
    "Polar Insulated Bottle": ("极地保温杯", "保温杯"),
    "Drift Inflatable Kayak": ("漂流充气皮划艇", "皮划艇"),
    "Glacier Down Sleeping Bag": ("冰川羽绒睡袋", "睡袋"),
}
CATEGORY_NAMES: Mapping[str, str] = {
    "Kitchen": "厨房用品", "Coffee": "咖啡用品", "Home": "家居用品", "Garden": "园艺用品", "Electronics": "数码产品",
    "Outdoor": "户外用品",
}
CHANNEL_NAMES: Mapping[str, str] = {
    "review": "商品评价", "email": "邮件", "chat": "在线客服", "phone": "电话", "survey": "满意度调查",
}
