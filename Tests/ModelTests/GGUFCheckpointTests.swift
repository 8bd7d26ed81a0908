import ChatTemplate
import Foundation
import GGUF
@testable import Model
import SafeTensors
import XCTest

/// Loading a LLaMA from GGUF: config from metadata, llama.cpp names, q/k un-permutation.
final class GGUFCheckpointTests: XCTestCase {
    private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("GGUFTests/Fixtures")

    func testConfigFromMetadata() throws {
        let file = try GGUFFile(contentsOf: fixtures.appendingPathComponent("tiny_llama.gguf"))
        let c = try GGUFCheckpoint.config(of: file)
        XCTAssertEqual([c.hiddenSize, c.intermediateSize, c.numHiddenLayers, c.numAttentionHeads, c.numKeyValueHeads],
                       [64, 96, 2, 4, 2])
        XCTAssertEqual(c.vocabSize, 3 + 256 + 6)
        XCTAssertEqual(c.maxPositionEmbeddings, 256)
        XCTAssertEqual(c.ropeTheta, 100_000)
        XCTAssertEqual(c.rmsNormEps, 1e-5)
        XCTAssertTrue(c.tieWordEmbeddings)
        XCTAssertEqual([c.bosTokenId, c.eosTokenId, c.padTokenId], [1, 2, 2])
    }

    func testWeightsMatchHFLayoutExactly() throws {
        let url = fixtures.appendingPathComponent("tiny_llama.gguf")
        XCTAssertTrue(Checkpoint.isGGUF(url))
        XCTAssertFalse(Checkpoint.isGGUF(fixtures))
        let model = try Checkpoint.loadAnyModel(at: url)
        let expected = try SafeTensorsFile(contentsOf: fixtures.appendingPathComponent("tiny_llama_expected.safetensors"))
        XCTAssertEqual(Set(expected.names), Set(model.layout.slices.map(\.name)))
        for slice in model.layout.slices {
            let want = try expected.floats(slice.name, expectedShape: slice.shape)
            let got = Array(UnsafeBufferPointer(start: model.parameters.pointer + slice.offset, count: slice.count))
            XCTAssertEqual(got, want, slice.name)
        }
    }

    func testUnpermuteInvertsTheConvertScriptsPermutation() {
        // Two heads of 4 rows, 3 columns; HF row r holds r*10 + column.
        let heads = 2, headRows = 4, columns = 3
        let hf = (0..<heads * headRows).flatMap { r in (0..<columns).map { Float(r * 10 + $0) } }
        // convert_hf_to_gguf.py: reshape(heads, 2, half, cols).swapaxes(1, 2): stored row 2i+p = HF row p*half+i.
        var stored = [Float]()
        for h in 0..<heads {
            for i in 0..<headRows / 2 {
                for p in 0..<2 {
                    let r = h * headRows + p * headRows / 2 + i
                    stored += hf[r * columns..<(r + 1) * columns]
                }
            }
        }
        XCTAssertNotEqual(stored, hf)
        XCTAssertEqual(GGUFCheckpoint.unpermuteRows(stored, heads: heads, columns: columns), hf)
    }

    func testNames() {
        XCTAssertEqual(GGUFCheckpoint.hfName("blk.12.attn_q.weight"), "model.layers.12.self_attn.q_proj.weight")
        XCTAssertEqual(GGUFCheckpoint.hfName("output.weight"), "lm_head.weight")
        XCTAssertNil(GGUFCheckpoint.hfName("blk.x.attn_q.weight"))
        XCTAssertNil(GGUFCheckpoint.hfName("rope_freqs.weight"))
        for (gguf, _) in GGUFCheckpoint.blockNames + GGUFCheckpoint.globalNames {
            let name = gguf.hasPrefix("token") || gguf.hasPrefix("output") ? gguf : "blk.3." + gguf
            XCTAssertEqual(GGUFCheckpoint.hfName(name).map(GGUFCheckpoint.ggufName), name)
        }
    }

    func testTokenizerAndChatTemplateFromMetadata() throws {
        let url = fixtures.appendingPathComponent("tiny_llama.gguf")
        let (model, tokenizer, template) = try Checkpoint.loadAny(at: url)
        XCTAssertEqual(model.config.vocabSize, tokenizer.vocabSize)
        XCTAssertEqual(tokenizer.encode(" the"), [3 + 256 + 2], "Ġt, he, then Ġthe")
        XCTAssertEqual(tokenizer.encode("<|im_end|>", allowSpecial: true), [2])
        XCTAssertEqual([tokenizer.special.bos, tokenizer.special.eos, tokenizer.special.pad], [1, 2, 2])
        let message = Value.dict(OrderedDict([("role", .string("user")), ("content", .string("hi"))]))
        let rendered = try XCTUnwrap(template).render(messages: [message], addGenerationPrompt: true)
        XCTAssertEqual(rendered.text, "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n")
        XCTAssertTrue(try Checkpoint.loadAnyTokenizer(at: url) is BPETokenizer)
    }

    func testFileWithoutModelMetadataNamesTheKey() throws {
        let file = try GGUFFile(contentsOf: fixtures.appendingPathComponent("tiny.gguf"))
        XCTAssertThrowsError(try GGUFCheckpoint.config(of: file)) { error in
            XCTAssertTrue("\(error)".contains("llama."), "\(error)")
        }
        XCTAssertThrowsError(try Checkpoint.loadAnyModel(at: fixtures.appendingPathComponent("tiny.gguf")))
    }
}
