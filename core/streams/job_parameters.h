// The job parameters through which a blue-green job's run learns its stream and its writer-lock
// holder id (docs/streams.md): part of the writer-lock protocol between kiln, which adds both to
// a blue-green job's settings.parameters, and the job's code (the emulator's streaming runs read
// them as a real job's code would).
#pragma once

namespace kiln::streams {

inline constexpr const char* kParamStream = "kiln_stream";
inline constexpr const char* kParamHolder = "kiln_holder";

}  // namespace kiln::streams
