// Package bench holds govreply's performance benchmarks (see
// docs/benchmarks.md) and the deterministic synthetic Chinese corpus they
// run on.
//
// The corpus imitates a government-service knowledge base: documents about
// services (社保卡办理, 公积金提取 …), citizens' complaints and how they were
// handled, and reply guidance. Words are drawn from fixed vocabularies with
// Zipf-like weights (the first words of a list are the most frequent) and
// set into realistic sentence templates, so term frequencies look like real
// text: a few words (办理, 市民 …) occur in many chunks, most occur rarely.
// Everything is a pure function of the seed and the index, so every run and
// every machine sees the same text.
package bench

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"govreply/knowledge"
)

// SynthVersion changes whenever the generated text changes, so a cached
// benchmark dataset built from an older generator is rebuilt.
const SynthVersion = 1

// Seed is the default seed of the synthetic corpus.
const Seed = 20240601

// Chunk sizes in characters (runes).
const (
	MinChunkRunes = 150
	MaxChunkRunes = 300
)

// vocabularies. Each list is ordered roughly from common to rare; the
// Zipf weights follow that order.
var (
	districts = words(`城东区 城西区 高新区 经开区 老城区 滨江新区 南湖区 北山区 临港新区 开发区 西湖街道 江南镇
		城南区 城北区 新城区 东湖区 桥头镇 青山镇 河口镇 白沙镇 金港区 望江区 龙泉镇 松林乡`)
	spots = words(`小区 幸福路 人民路 解放路 建设路 中山路 和平街 光明街道 新华街道 学校门口 医院门口 地铁站 公交站
		农贸市场 菜市场 公园 商业街 停车场 十字路口 高架桥下 老旧小区 安置小区 城中村 工业园区 夜市 广场
		体育馆 图书馆 汽车站 火车站 政务服务中心 社区卫生服务中心 幼儿园 养老院 建筑工地 河道 绿道 隧道
		立交桥 地下通道 人行天桥 农村公路 村委会 居民楼 写字楼 步行街 批发市场 物流园 菜鸟驿站`)
	departments = words(`市场监督管理局 住房和城乡建设局 人力资源和社会保障局 医疗保障局 公安局交警支队 城市管理综合执法局
		生态环境局 教育局 卫生健康委员会 民政局 交通运输局 自然资源和规划局 水务局 税务局 政务服务中心 街道办事处
		社区居委会 消防救援支队 应急管理局 文化和旅游局 农业农村局 退役军人事务局 残疾人联合会 信访局 司法局
		住房公积金管理中心 不动产登记中心 供电公司 燃气公司 自来水公司 公安局出入境管理支队 公安局户政科 园林绿化局
		商务局 发展和改革委员会 统计局 审计局 机关事务管理局 数据资源管理局 营商环境办公室 物业管理办公室
		城市更新局 轨道交通集团 公交集团 疾病预防控制中心 妇女联合会 共青团 工会 法律援助中心`)
	matters = words(`社保卡办理 医保报销 异地就医备案 公积金提取 不动产登记 户口迁移 居住证办理 身份证补办 营业执照办理
		个体工商户注册 税务登记 个人所得税汇算 养老金领取 失业金申领 生育津贴申领 新生儿落户 入学报名 学位申请
		公租房申请 廉租房申请 住房补贴申请 老旧小区改造 加装电梯 驾驶证换证 机动车年检 交通违法处理 临时身份证
		护照办理 港澳通行证办理 低保申请 残疾证办理 高龄津贴申领 健康证办理 食品经营许可证 人才引进落户 积分落户
		灵活就业参保 退休手续办理 工伤认定 劳动仲裁 欠薪投诉 消费维权 噪声投诉 占道经营举报 违章建筑举报
		垃圾分类指导 停车收费咨询 供暖报修 停水停电报修 燃气开户 水电过户 房屋租赁备案 二手房交易 契税缴纳
		婚姻登记 出生医学证明 疫苗接种预约 体检预约 门诊慢特病认定 长期护理保险 城乡居民医保缴费 职工医保转移
		养老保险转移 企业开办 企业注销 建设工程规划许可 施工许可 竣工验收备案 消防验收 排污许可 环评审批
		道路挖掘许可 户外广告审批 网约车驾驶员证 出租车投诉 公交卡办理 老年人优待证 独生子女证明 无犯罪记录证明
		法律援助申请 人民调解 行政复议 政府信息公开申请 信访事项办理 创业担保贷款 稳岗补贴 技能培训补贴
		就业登记 高校毕业生就业补贴 农民工工资保证金 农村宅基地审批 耕地保护 林木采伐许可 渔船登记 动物防疫`)
	problems = words(`噪音扰民 油烟污染 道路积水 路灯不亮 井盖缺失 垃圾清运不及时 共享单车乱停放 占道经营 违规停车
		施工扰民 电梯故障 物业不作为 拖欠工资 虚假宣传 食品安全隐患 价格欺诈 排队时间长 网站无法登录
		材料反复提交 窗口态度差 公交线路调整 信号灯故障 小区停水 暖气不热 流浪犬伤人 河道污染 空气异味
		违规收费 飞线充电 楼道堆物 高空抛物 夜间施工 渣土车撒漏 绿化带毁损 路面坑洼 下水道堵塞 外墙脱落
		违建加盖 广场舞噪音 商铺外摆 黑车拉客 校外培训乱收费 预付卡跑路 装修扰民 停车位不足 充电桩不足
		快递丢失 网购退款难 医院挂号难 办事跑多次 审批时限长 补贴迟迟不到账 政策解释不清 热线打不通`)
	actions = words(`核实情况 调查处理 督促整改 上门查看 现场处置 电话回访 协调解决 依法查处 限期整改 张贴公告
		优化流程 增设窗口 延长服务时间 开通绿色通道 推行网上办理 实行一次办好 容缺受理 联合执法 约谈负责人
		下达整改通知书 立案调查 开展专项整治 安排专人跟进 组织维修 清理疏通 补装设施 调整班次 加强巡查
		公开处理结果 送达告知书 组织听证 会同相关部门研究 落实首问负责制 建立工作台账 跟踪督办 倒查责任`)
	durations = words(`三个工作日 五个工作日 七个工作日 十个工作日 十五个工作日 二十个工作日 一个月 两个月 二十四小时
		四十八小时 一周 半个月 三十日 六十日 九十日`)
	channels = words(`12345政务服务便民热线 政务服务网 微信公众号 政务服务小程序 办事大厅 自助服务终端 官方微博私信
		政务服务APP 人工服务窗口 领导信箱 网上信访平台 社区网格员 帮办代办服务 预约服务电话 留言板`)
	materials = words(`身份证原件 户口簿 结婚证 出生医学证明 不动产权证书 房屋租赁合同 劳动合同 银行卡 一寸照片
		社保缴费证明 收入证明 营业执照副本 申请表 授权委托书 学历证书 居住证 医疗费用发票 出院小结 诊断证明
		离婚证 死亡证明 购房合同 完税证明 公司章程 法定代表人身份证明 场地使用证明 健康体检报告 工资流水`)
	citizens = words(`市民 网友 居民 群众 家长 车主 业主 商户 老人 外地务工人员 学生 患者 企业 个体户 退休职工
		新就业人员 残疾人 游客 农民工 志愿者`)
	policies = words(`政策 规定 办法 实施细则 通知 指南 标准 条例 意见 工作方案 服务规范 管理办法 操作规程 暂行办法`)
	benefits = words(`少跑腿 不见面审批 跨省通办 一网通办 全程网办 掌上办 就近办 秒批秒办 免申即享 一件事一次办
		好差评 帮办代办 延时服务 预约服务 上门服务`)
	sections = words(`办理条件 所需材料 办理流程 办理时限 收费标准 常见问题 咨询渠道 政策依据 处理经过 处理结果
		回复要点 注意事项 案例分析 经验总结 适用范围 法律责任 温馨提示 背景情况`)
	tones = words(`感谢您的反映 非常理解您的心情 给您带来不便深表歉意 您反映的问题已收到 感谢您对我们工作的监督
		我们高度重视 请您放心 欢迎继续监督 如有疑问请随时联系 感谢您的耐心等待`)
)

// words splits a whitespace-separated list.
func words(s string) []string { return strings.Fields(s) }

// sentence templates; {x} names a vocabulary (x = district, spot, place,
// dept, matter, item, problem, action, time, duration, channel, material,
// citizen, policy, benefit, tone, num).
var templates = words(`
{citizen}反映{place}{problem}，希望{dept}尽快处理。
{dept}接到{channel}转办的诉求后，于{time}{action}，并将结果告知{citizen}。
办理{item}需要携带{material}和{material}，可通过{channel}预约。
根据《{matter}{policy}》，{matter}的办理时限为{duration}，符合条件的当场办结。
针对{place}{problem}的问题，{dept}已{action}，下一步将{action}。
{citizen}可拨打{channel}咨询{matter}的具体流程，也可登录{channel}查询进度。
如对处理结果不满意，可在{time}向{dept}申请复核。
近期{place}出现{problem}，{dept}联合{dept}开展专项整治，累计{action}{num}处。
{matter}已实现{benefit}，{citizen}办事更加便捷，平均办理时间缩短到{duration}。
回复{citizen}时应先说明{tone}，再讲清{dept}的{action}安排和{duration}的办理时限。
经{action}，{place}{problem}问题已基本解决，{dept}将持续{action}，防止问题反弹。
{citizen}办理{item}时反映{problem}，{dept}随即{action}，并在{time}完成整改。
申请{item}的{citizen}应当提交{material}、{material}及{material}，材料不全的将一次性告知需补正的内容。
{tone}。关于{place}{problem}，我们已转交{dept}，预计{time}给您答复。
本{policy}适用于{district}范围内{matter}的受理、审核和办结，由{dept}负责解释。
{dept}提醒，{matter}全程免费，请勿相信任何收费代办的信息，如遇{problem}可向{channel}举报。
截至目前，{district}共受理{item}申请{num}件，办结率达到百分之{num}。
{citizen}在{spot}附近遇到{problem}，可第一时间通过{channel}反映，{dept}承诺{time}响应。
发布回复前应核实{matter}的{policy}条款，避免出现{problem}等表述，必要时请{dept}把关。
今年以来，{dept}围绕{matter}推出{benefit}等举措，{citizen}满意度明显提升。
`)

// Synth generates the synthetic corpus. The zero value is not usable; use
// NewSynth.
type Synth struct {
	seed  uint64
	vocab map[string]*zipf
}

// zipf samples a list with weights 1/(rank+1)^s.
type zipf struct {
	items []string
	cum   []float64
}

func newZipf(items []string, s float64) *zipf {
	z := &zipf{items: items, cum: make([]float64, len(items))}
	var t float64
	for i := range items {
		t += 1 / math.Pow(float64(i+1), s)
		z.cum[i] = t
	}
	return z
}

func (z *zipf) pick(r *rand.Rand) string {
	x := r.Float64() * z.cum[len(z.cum)-1]
	return z.items[sort.SearchFloat64s(z.cum, x)]
}

// NewSynth returns a generator for seed.
func NewSynth(seed uint64) *Synth {
	places := make([]string, 0, len(districts)*len(spots))
	// District+spot phrases ("城东区幸福路"): interleave so that the
	// common districts and the common spots come first.
	for i := 0; i < len(districts)+len(spots); i++ {
		for d := 0; d <= i && d < len(districts); d++ {
			if s := i - d; s < len(spots) {
				places = append(places, districts[d]+spots[s])
			}
		}
	}
	deptPhrases := make([]string, 0, len(departments)*(len(districts)+1))
	deptPhrases = append(deptPhrases, departments...)
	for _, d := range districts {
		for _, dep := range departments[:20] {
			deptPhrases = append(deptPhrases, d+dep)
		}
	}
	// items are matters without a trailing verb ("社保卡办理" → "社保卡"),
	// for templates that supply the verb themselves.
	items := make([]string, len(matters))
	for i, m := range matters {
		for _, verb := range []string{"办理", "申请", "申领"} {
			if t, ok := strings.CutSuffix(m, verb); ok && utf8.RuneCountInString(t) >= 2 {
				m = t
				break
			}
		}
		items[i] = m
	}
	// times are deadlines: a duration followed by 内, or a date.
	times := make([]string, 0, len(durations)+5)
	for _, d := range durations {
		times = append(times, d+"内")
	}
	times = append(times, "本周内", "本月底前", "当天", "次日", "年底前")
	s := &Synth{seed: seed, vocab: map[string]*zipf{
		"district": newZipf(districts, 1),
		"spot":     newZipf(spots, 1),
		"place":    newZipf(places, 0.9),
		"dept":     newZipf(deptPhrases, 1),
		"matter":   newZipf(matters, 1),
		"item":     newZipf(items, 1),
		"problem":  newZipf(problems, 1),
		"action":   newZipf(actions, 1),
		"time":     newZipf(times, 1),
		"duration": newZipf(durations, 1),
		"channel":  newZipf(channels, 1),
		"material": newZipf(materials, 1),
		"citizen":  newZipf(citizens, 1),
		"policy":   newZipf(policies, 1),
		"benefit":  newZipf(benefits, 1),
		"tone":     newZipf(tones, 1),
		"section":  newZipf(sections, 0.7),
		"template": newZipf(templates, 0.5),
	}}
	return s
}

// VocabularySize is the number of distinct words and phrases the
// generator draws from.
func (s *Synth) VocabularySize() int {
	seen := map[string]bool{}
	for name, z := range s.vocab {
		if name == "template" {
			continue
		}
		for _, w := range z.items {
			seen[w] = true
		}
	}
	return len(seen)
}

// rng returns the random source of one item of one kind.
func (s *Synth) rng(kind, i uint64) *rand.Rand {
	return rand.New(rand.NewPCG(s.seed^kind*0x9e3779b97f4a7c15, uint64(i)))
}

func (s *Synth) pick(r *rand.Rand, name string) string { return s.vocab[name].pick(r) }

// fill expands one template.
func (s *Synth) fill(r *rand.Rand, tmpl string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], '}') + i
		b.WriteString(tmpl[:i])
		switch name := tmpl[i+1 : j]; name {
		case "num":
			fmt.Fprint(&b, 1+r.IntN(98))
		default:
			b.WriteString(s.pick(r, name))
		}
		tmpl = tmpl[j+1:]
	}
}

// paragraph returns sentences totalling between MinChunkRunes and
// MaxChunkRunes characters (one long sentence may be cut by a caller's
// chunker; here every paragraph stays within the bounds).
func (s *Synth) paragraph(r *rand.Rand) string {
	target := MinChunkRunes + r.IntN(MaxChunkRunes-MinChunkRunes+1)
	var b strings.Builder
	n := 0
	for n < target {
		sent := s.fill(r, s.pick(r, "template"))
		m := utf8.RuneCountInString(sent)
		if n+m > MaxChunkRunes {
			if n >= MinChunkRunes {
				break
			}
			continue // too long for what is left: draw another
		}
		b.WriteString(sent)
		n += m
	}
	return b.String()
}

// Section is one heading and its paragraph.
type Section struct {
	Heading string
	Text    string
}

// Doc is one synthetic document.
type Doc struct {
	ID       string
	Title    string
	Category knowledge.Category
	Tags     []string
	Sections []Section
}

var categories = []knowledge.Category{knowledge.CategoryFAQ, knowledge.CategoryCase, knowledge.CategoryRule, knowledge.CategoryTone}

// Doc returns document i: a title, two tags and between minSec and
// maxSec sections of one paragraph each.
func (s *Synth) Doc(i, minSec, maxSec int) Doc {
	r := s.rng(1, uint64(i))
	d := Doc{ID: fmt.Sprintf("synth/%06d", i), Category: categories[r.IntN(len(categories))]}
	switch r.IntN(4) {
	case 0:
		d.Title = s.pick(r, "district") + s.pick(r, "matter") + "办事指南"
	case 1:
		d.Title = "关于" + s.pick(r, "place") + s.pick(r, "problem") + "问题的处理情况"
	case 2:
		d.Title = s.pick(r, "matter") + s.pick(r, "policy") + "解读"
	default:
		d.Title = s.pick(r, "problem") + "类诉求回复案例"
	}
	d.Tags = []string{s.pick(r, "matter"), s.pick(r, "problem")}
	n := minSec + r.IntN(maxSec-minSec+1)
	for j := 0; j < n; j++ {
		d.Sections = append(d.Sections, Section{Heading: s.pick(r, "section"), Text: s.paragraph(r)})
	}
	return d
}

// Document is d as a knowledge.Document (no body).
func (d Doc) Document(collection string) knowledge.Document {
	return knowledge.Document{
		ID: d.ID, Collection: collection, Title: d.Title, Category: d.Category, Tags: d.Tags,
		Hash: fmt.Sprintf("synth-v%d-%s", SynthVersion, d.ID),
	}
}

// Markdown renders d as a Markdown file with YAML front matter, a title
// heading and one "##" section per Section.
func (d Doc) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "---\nid: %s\ntitle: %s\ncategory: %s\ntags: [%s]\n---\n\n# %s\n\n",
		d.ID, d.Title, d.Category, strings.Join(d.Tags, ", "), d.Title)
	for _, sec := range d.Sections {
		fmt.Fprintf(&b, "## %s\n\n%s\n\n", sec.Heading, sec.Text)
	}
	return b.String()
}

// Queries returns n short questions a citizen or an official might ask,
// drawn from the same vocabulary.
func (s *Synth) Queries(n int) []string {
	forms := []string{
		"{matter}需要什么材料？",
		"怎么办理{item}",
		"{place}{problem}找哪个部门",
		"{matter}多久能办好",
		"{problem}投诉后多久有回复？",
		"网上可以办{item}吗",
		"{dept}的咨询电话是多少",
		"{citizen}反映{problem}怎么回复",
		"{matter}要交费吗",
		"{spot}{problem}有人管吗",
		"{matter}的办理条件",
		"{problem}一直没解决怎么办",
	}
	out := make([]string, n)
	for i := range out {
		r := s.rng(2, uint64(i))
		out[i] = s.fill(r, forms[i%len(forms)])
	}
	return out
}

// WriteCorpus writes Markdown documents (from index first on, 5–12
// sections each) into dir until at least bytes bytes are written, and
// returns the number of files and bytes.
func (s *Synth) WriteCorpus(dir string, first int, bytes int64) (files int, total int64, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, 0, err
	}
	for i := first; total < bytes; i++ {
		d := s.Doc(i, 5, 12)
		text := d.Markdown()
		name := filepath.Join(dir, fmt.Sprintf("doc-%06d.md", i))
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			return files, total, err
		}
		files++
		total += int64(len(text))
	}
	return files, total, nil
}
